/**
 * `/oauth2/userinfo` with live tokens: the answer is `sub` and the grant's claims that the
 * access token's own scope releases (OIDC Core §5.3, §5.4).
 */
import { describe, expect, it } from "vitest";
import { registerClient } from "../support/clients";
import { ALICE, startFamily } from "../support/families";
import { refresh } from "../support/token-requests";
import { call } from "../support/worker";
import { accessTokenClaims, signWithConfiguredKey } from "./test-tokens";

const ALICE_ALL = { sub: "user_alice", ...ALICE };

function bearer(token: string, init: RequestInit = {}): Promise<Response> {
  return call("/oauth2/userinfo", { ...init, headers: { Authorization: `Bearer ${token}`, ...init.headers } });
}

async function expectClaims(response: Response, claims: Record<string, unknown>) {
  expect(response.status).toBe(200);
  expect(response.headers.get("Content-Type")).toBe("application/json");
  expect(response.headers.get("Cache-Control")).toBe("no-store");
  expect(response.headers.get("Pragma")).toBe("no-cache");
  expect(response.headers.get("WWW-Authenticate")).toBeNull();
  expect(await response.json()).toEqual(claims);
}

async function accessTokenOf(response: Response): Promise<string> {
  expect(response.status).toBe(200);
  return (await response.json<{ access_token: string }>()).access_token;
}

describe("userinfo: live tokens", () => {
  it("answers a GET with sub and every claim of openid profile email", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);

    await expectClaims(await bearer(family.tokens.access_token), ALICE_ALL);
  });

  it("answers a POST with the token in the Authorization header", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);

    await expectClaims(await bearer(family.tokens.access_token, { method: "POST" }), ALICE_ALL);
  });

  it("answers a POST with the token as the access_token form parameter", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);

    const response = await call("/oauth2/userinfo", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ access_token: family.tokens.access_token }),
    });

    await expectClaims(response, ALICE_ALL);
  });

  it("takes the bearer scheme in any letter case", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);

    const response = await call("/oauth2/userinfo", {
      headers: { Authorization: `bEARER ${family.tokens.access_token}` },
    });

    await expectClaims(response, ALICE_ALL);
  });

  it("releases only sub when the token was narrowed to openid by a refresh", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const narrowed = await accessTokenOf(await refresh(client, family.tokens.refresh_token, { scope: "openid" }));

    await expectClaims(await bearer(narrowed), { sub: "user_alice" });
  });

  it("releases the email claims alone for a token narrowed to openid email", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const narrowed = await accessTokenOf(await refresh(client, family.tokens.refresh_token, { scope: "email openid" }));

    await expectClaims(await bearer(narrowed), {
      sub: "user_alice",
      email: ALICE.email,
      email_verified: ALICE.email_verified,
    });
  });

  it("releases the profile claims alone for a grant of openid profile, with no refresh token", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id, { scope: "openid profile" });

    await expectClaims(await bearer(family.tokens.access_token), {
      sub: "user_alice",
      name: ALICE.name,
      given_name: ALICE.given_name,
      family_name: ALICE.family_name,
    });
  });

  it("keeps answering for the older access token after a rotation, while the grant lives", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    expect((await refresh(client, family.tokens.refresh_token)).status).toBe(200);

    await expectClaims(await bearer(family.tokens.access_token), ALICE_ALL);
  });

  it("accepts a token signed by a published key that no longer signs", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    // Key 1 is published but not the signing key: what a key rotation leaves behind.
    const token = await signWithConfiguredKey(accessTokenClaims(client.client_id, family.sid), 1);

    await expectClaims(await bearer(token), ALICE_ALL);
  });

  it("refuses a token without openid with 403 insufficient_scope", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const narrowed = await accessTokenOf(
      await refresh(client, family.tokens.refresh_token, { scope: "profile email" }),
    );

    const response = await bearer(narrowed);

    expect(response.status).toBe(403);
    expect(response.headers.get("WWW-Authenticate")).toBe('Bearer error="insufficient_scope", scope="openid"');
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    expect(response.headers.get("Pragma")).toBe("no-cache");
    expect(await response.json()).toEqual({
      error: "insufficient_scope",
      error_description: "The access token does not carry the scope this requires.",
    });
  });
});
