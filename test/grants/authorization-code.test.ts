/**
 * The authorization_code grant: a code is good once, for its client, with its redirect URI and
 * its PKCE verifier, for 60 seconds; a second redemption revokes what the first issued.
 *
 * @see RFC 6749 §4.1.2 and §4.1.3, RFC 7636 §4.6, OIDC Core §3.1.3.3 and §3.1.3.6
 */
import { runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { CODE_KEY, type IssuedCode } from "../../src/grant/authorization-state";
import { expectError, expectInvalidRequest, expectTokens } from "../http/support-token-endpoint";
import { registerClient, type TestClient } from "../support/clients";
import {
  aliceLogin,
  issueCode,
  jwtPayload,
  newCodeVerifier,
  redeem,
  s256,
  type IssuedCode as Code,
} from "../support/code-flow";
import { ALICE, grantStub, readFamily } from "../support/families";
import { refresh, tokenRequest } from "../support/token-requests";
import { BASE } from "../support/worker";

const INVALID_GRANT = "The grant is invalid, expired, revoked, or was issued to another client.";

function expectInvalidGrant(response: Response): Promise<void> {
  return expectError(response, { status: 400, error: "invalid_grant", description: INVALID_GRANT });
}

let client: TestClient;
let other: TestClient;
let publicClient: TestClient;

beforeAll(async () => {
  client = await registerClient({ organization_id: "org_client" });
  other = await registerClient();
  publicClient = await registerClient({ token_endpoint_auth_method: "none" });
});

/** Every entry of the grant's storage, serialised, and the keys. */
function stored(sid: string): Promise<{ text: string; keys: string[] }> {
  return runInDurableObject(grantStub(sid), (_instance, state) => {
    const entries = [...state.storage.kv.list()];
    return { text: JSON.stringify(entries), keys: entries.map(([key]) => key) };
  });
}

/** A code with its last character changed: same sid, another secret. */
function forged(code: string): string {
  return code.slice(0, -1) + (code.endsWith("A") ? "Q" : "A");
}

describe("authorization_code grant: redemption", () => {
  it("answers with access, ID and refresh tokens for the grant the login created", async () => {
    const issued = await issueCode(client);
    const body = await expectTokens(await redeem(client, issued));
    expect(Object.keys(body).sort()).toEqual([
      "access_token",
      "expires_in",
      "id_token",
      "refresh_token",
      "scope",
      "token_type",
    ]);
    expect(body).toMatchObject({
      token_type: "bearer",
      expires_in: 300,
      scope: "openid profile email offline_access",
      refresh_token: expect.stringMatching(/^rt_/),
    });
    const access = jwtPayload(body.access_token as string);
    expect(access).toEqual({
      iss: BASE,
      sub: "user_alice",
      aud: client.client_id,
      client_id: client.client_id,
      scope: "openid profile email offline_access",
      jti: expect.any(String),
      iat: expect.any(Number),
      exp: (access.iat as number) + 300,
      sid: issued.sid,
      org_id: "org_client",
    });
  });

  it("puts nonce and auth_time into the ID token, with the claims the scope releases", async () => {
    const authTime = Math.floor(Date.now() / 1000) - 42;
    const issued = await issueCode(client, { scope: "openid email" }, aliceLogin({ auth_time: authTime }));
    const body = await expectTokens(await redeem(client, issued));
    const id = jwtPayload(body.id_token as string);
    expect(id).toMatchObject({
      iss: BASE,
      sub: "user_alice",
      aud: client.client_id,
      nonce: issued.nonce,
      auth_time: authTime,
      email: ALICE.email,
      email_verified: true,
    });
    expect(id.name).toBeUndefined();
  });

  it("puts no nonce into the ID token when the request had none", async () => {
    const issued = await issueCode(client, { extra: { nonce: "" } });
    const id = jwtPayload((await expectTokens(await redeem(client, issued))).id_token as string);
    expect(id.nonce).toBeUndefined();
    expect(id.auth_time).toEqual(expect.any(Number));
  });

  it("issues no refresh token without offline_access", async () => {
    const issued = await issueCode(client, { scope: "openid email" });
    const body = await expectTokens(await redeem(client, issued));
    expect(body.refresh_token).toBeUndefined();
    expect(body.scope).toBe("openid email");
  });

  it("issues no ID token without openid", async () => {
    const issued = await issueCode(client, { scope: "email offline_access" });
    const body = await expectTokens(await redeem(client, issued));
    expect(body.id_token).toBeUndefined();
    expect(body.refresh_token).toEqual(expect.any(String));
  });

  it("redeems for a confidential client without PKCE, and with client_secret_post", async () => {
    const issued = await issueCode(client, { pkce: false });
    await expectTokens(await redeem(client, issued, "post"));
  });

  it("redeems for a public client identified by its client_id and its verifier", async () => {
    const issued = await issueCode(publicClient);
    const body = await expectTokens(await redeem(publicClient, issued, "none"));
    expect(jwtPayload(body.access_token as string).client_id).toBe(publicClient.client_id);
  });

  it("keeps the code only as a hash, before and after redemption", async () => {
    const issued = await issueCode(client);
    const secretPart = issued.code.slice(-40);
    const pending = await stored(issued.sid);
    expect(pending.keys).toEqual([CODE_KEY]);
    expect(pending.text).not.toContain(issued.code);
    expect(pending.text).not.toContain(secretPart);
    await expectTokens(await redeem(client, issued));
    const redeemed = await stored(issued.sid);
    expect(redeemed.keys).toEqual(["family"]);
    expect(redeemed.text).not.toContain(issued.code);
    expect(redeemed.text).not.toContain(secretPart);
  });
});

describe("authorization_code grant: one use", () => {
  it("refuses a second redemption and revokes the refresh token and family of the first", async () => {
    const issued = await issueCode(client);
    const first = await expectTokens(await redeem(client, issued));

    await expectInvalidGrant(await redeem(client, issued));

    expect(await readFamily(issued.sid)).toBeUndefined();
    await expectInvalidGrant(await refresh(client, first.refresh_token as string));
  });

  it("revokes the family of the first redemption even when it holds no refresh token", async () => {
    const issued = await issueCode(client, { scope: "openid" });
    await expectTokens(await redeem(client, issued));
    expect(await readFamily(issued.sid)).toBeDefined();

    await expectInvalidGrant(await redeem(client, issued));
    expect(await readFamily(issued.sid)).toBeUndefined();
  });

  it("revokes what the first redemption issued even after a refresh rotated it", async () => {
    const issued = await issueCode(client);
    const first = await expectTokens(await redeem(client, issued));
    const rotated = await expectTokens(await refresh(client, first.refresh_token as string));

    await expectInvalidGrant(await redeem(client, issued));
    await expectInvalidGrant(await refresh(client, rotated.refresh_token as string));
  });

  it("lets exactly one of simultaneous redemptions succeed", async () => {
    const issued = await issueCode(client);
    const responses = await Promise.all(Array.from({ length: 5 }, () => redeem(client, issued)));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 400)).toHaveLength(4);
    for (const response of responses.filter((r) => r.status === 400)) await expectInvalidGrant(response);
    // The redemptions that lost came after the winner: each was a reuse, which revoked its grant.
    expect(await readFamily(issued.sid)).toBeUndefined();
  });

  it("leaves the family alone when another client presents the redeemed code", async () => {
    const issued = await issueCode(client);
    const first = await expectTokens(await redeem(client, issued));

    await expectInvalidGrant(await redeem(other, issued, "basic"));

    expect(await readFamily(issued.sid)).toBeDefined();
    await expectTokens(await refresh(client, first.refresh_token as string));
  });
});

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
