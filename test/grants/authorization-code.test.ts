/**
 * The authorization_code grant, redeemed: a code gives access, ID and refresh tokens for the
 * grant its login created, as far as the scope asks, and is kept only as a hash; it is good once,
 * and a second redemption revokes what the first issued. What is refused (another client,
 * redirect URI or verifier, a lapsed or guessed code) is in authorization-code-refusals.test.ts.
 *
 * @see RFC 6749 §4.1.2 and §4.1.3, OIDC Core §3.1.3.3 and §3.1.3.6
 */
import { describe, expect, it } from "vitest";
import { CODE_KEY } from "../../src/grant/authorization-state";
import { expectTokens } from "../http/support-token-endpoint";
import { aliceLogin, issueCode, jwtPayload, redeem } from "../support/code-flow";
import { ALICE, readFamily } from "../support/families";
import { refresh } from "../support/token-requests";
import { BASE } from "../support/worker";
import { client, expectInvalidGrant, other, publicClient, registerClientsBeforeAll, stored } from "./support-codes";

registerClientsBeforeAll();

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

  it("takes an auth_time within the host's clock slack ahead of now as now: never after the ID token's iat", async () => {
    const ahead = Math.floor(Date.now() / 1000) + 45;
    const issued = await issueCode(client, { scope: "openid" }, aliceLogin({ auth_time: ahead }));
    const id = jwtPayload((await expectTokens(await redeem(client, issued))).id_token as string);
    expect(id.auth_time).toBeLessThan(ahead);
    expect(id.auth_time).toBeLessThanOrEqual(id.iat as number);
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
