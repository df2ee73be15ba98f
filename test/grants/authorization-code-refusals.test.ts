/**
 * The authorization_code grant, refused: a code is good only for its client, with its redirect
 * URI and its PKCE verifier, for 60 seconds; any other redemption, a guessed code or something
 * that is no code is invalid_grant, and a refused try leaves the code good for its own client.
 *
 * @see RFC 6749 §4.1.3, RFC 7636 §4.6
 */
import { runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { CODE_KEY, type IssuedCode } from "../../src/grant/authorization-state";
import { expectError, expectInvalidRequest, expectTokens } from "../http/support-token-endpoint";
import { registerClient } from "../support/clients";
import { issueCode, jwtPayload, newCodeVerifier, redeem, s256, type IssuedCode as Code } from "../support/code-flow";
import { grantStub } from "../support/families";
import { tokenRequest } from "../support/token-requests";
import { client, expectInvalidGrant, other, publicClient, registerClientsBeforeAll, stored } from "./support-codes";

registerClientsBeforeAll();

/** A code with its last character changed: same sid, another secret. */
function forged(code: string): string {
  return code.slice(0, -1) + (code.endsWith("A") ? "Q" : "A");
}

describe("authorization_code grant: refusals", () => {
  let issued: Code;

  beforeAll(async () => {
    issued = await issueCode(client);
  });

  it("refuses a wrong code_verifier", async () => {
    await expectInvalidGrant(await redeem(client, issued, "basic", { code_verifier: newCodeVerifier() }));
  });

  it("refuses a code_verifier shorter than 43 characters, even one that hashes to the challenge", async () => {
    const short = newCodeVerifier().slice(0, 42);
    const withShort = await issueCode(client, { extra: { code_challenge: await s256(short) } });
    await expectInvalidGrant(await redeem(client, { ...withShort, codeVerifier: short }));
  });

  it("refuses a missing code_verifier when the request carried a challenge", async () => {
    await expectInvalidGrant(await redeem(client, { ...issued, codeVerifier: undefined }));
  });

  it("refuses a code_verifier when the request carried no challenge", async () => {
    const withoutPkce = await issueCode(client, { pkce: false });
    await expectInvalidGrant(await redeem(client, { ...withoutPkce, codeVerifier: newCodeVerifier() }));
    await expectTokens(await redeem(client, withoutPkce));
  });

  it("refuses another redirect_uri than the request's", async () => {
    await expectInvalidGrant(await redeem(client, { ...issued, redirectUri: "https://app.example/other" }));
    await expectInvalidGrant(await redeem(client, { ...issued, redirectUri: `${issued.redirectUri}/` }));
  });

  it("requires redirect_uri", async () => {
    await expectInvalidRequest(
      await tokenRequest(client, {
        grant_type: "authorization_code",
        code: issued.code,
        code_verifier: issued.codeVerifier!,
      }),
      "The redirect_uri parameter is required.",
    );
  });

  it("requires code", async () => {
    await expectInvalidRequest(
      await tokenRequest(client, { grant_type: "authorization_code", redirect_uri: issued.redirectUri }),
      "The code parameter is required.",
    );
  });

  // Runs after the refusals above: none of them spent the code.
  it("refuses the code to another client, and it stays good for its own", async () => {
    await expectInvalidGrant(await redeem(other, issued, "basic"));
    await expectInvalidGrant(await redeem(publicClient, issued, "none"));
    const body = await expectTokens(await redeem(client, issued));
    expect(jwtPayload(body.access_token as string).sub).toBe("user_alice");
  });

  it("refuses a code past its 60 seconds and ends the grant", async () => {
    const expiring = await issueCode(client);
    await runInDurableObject(grantStub(expiring.sid), (_instance, state) => {
      const code = state.storage.kv.get<IssuedCode>(CODE_KEY)!;
      expect(code.expiresAt - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(60);
      state.storage.kv.put(CODE_KEY, { ...code, expiresAt: Math.floor(Date.now() / 1000) - 1 });
    });

    await expectInvalidGrant(await redeem(client, expiring));
    // Only the marker that its request was answered is left, until the request's own expiry.
    expect((await stored(expiring.sid)).keys).toEqual(["answered"]);
  });

  it("reads a grant stored with the answered marker under its own key, as before it rode in the code", async () => {
    const toOldLayout = (sid: string, expired: boolean) =>
      runInDurableObject(grantStub(sid), (_instance, state) => {
        const { answeredUntil, ...code } = state.storage.kv.get<IssuedCode>(CODE_KEY)!;
        state.storage.kv.put("answered", answeredUntil);
        state.storage.kv.put(CODE_KEY, expired ? { ...code, expiresAt: Math.floor(Date.now() / 1000) - 1 } : code);
      });
    const live = await issueCode(client);
    await toOldLayout(live.sid, false);
    await expectTokens(await redeem(client, live));
    expect((await stored(live.sid)).keys).toEqual(["answered", "family"]);

    const lapsed = await issueCode(client);
    await toOldLayout(lapsed.sid, true);
    await expectInvalidGrant(await redeem(client, lapsed));
    expect((await stored(lapsed.sid)).keys).toEqual(["answered"]);
  });

  it("refuses a guessed code for a real grant, and the real code stays good", async () => {
    const target = await issueCode(client);
    await expectInvalidGrant(await redeem(client, { ...target, code: forged(target.code) }));
    await expectTokens(await redeem(client, target));
  });

  it.each([
    ["garbage", "not-a-code"],
    ["the prefix alone", "ac_"],
    ["a refresh token", "rt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"],
    ["a code of an unknown grant", `ac_${"A".repeat(86)}`],
    ["a code one character too long", `ac_${"A".repeat(87)}`],
    ["a code with characters outside base64url", `ac_${"+".repeat(86)}`],
    ["a very long string", "ac_".padEnd(10_000, "A")],
  ])("refuses %s as invalid_grant", async (_case, code) => {
    await expectInvalidGrant(await redeem(client, { ...issued, code }));
  });

  it("refuses a client not registered for the grant before looking at the code", async () => {
    const machine = await registerClient({ grant_types: ["client_credentials"], redirect_uris: [], scope: "jobs" });
    await expectError(await redeem(machine, issued, "basic"), {
      status: 400,
      error: "unauthorized_client",
      description: "The client is not allowed to use this grant type.",
    });
  });
});
