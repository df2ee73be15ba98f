/**
 * `/oauth2/userinfo` refusing tokens: anything that is not a live Baton access token for a live
 * grant is 401 `invalid_token` with its Bearer challenge (RFC 6750 §3.1, OIDC Core §5.3.3).
 */
import { env, exports } from "cloudflare:workers";
import { createExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { newTestSid } from "../support/families";
import { registerClient } from "../support/clients";
import { ageFamily, grantStub, startFamily } from "../support/families";
import { tokenRequest } from "../support/token-requests";
import { admin, call } from "../support/worker";
import { accessTokenClaims, configuredKeys, signWithConfiguredKey } from "./test-tokens";

const INVALID_TOKEN = {
  error: "invalid_token",
  error_description: "The access token is invalid, expired or revoked.",
};

function bearer(token: string): Promise<Response> {
  return call("/oauth2/userinfo", { headers: { Authorization: `Bearer ${token}` } });
}

async function expectInvalidToken(response: Response) {
  expect(response.status).toBe(401);
  expect(response.headers.get("WWW-Authenticate")).toBe('Bearer error="invalid_token"');
  expect(response.headers.get("Content-Type")).toBe("application/json");
  expect(response.headers.get("Cache-Control")).toBe("no-store");
  expect(response.headers.get("Pragma")).toBe("no-cache");
  expect(await response.json()).toEqual(INVALID_TOKEN);
}

/** A JWT with one payload claim replaced and the original signature kept. */
function tampered(token: string, claims: Record<string, unknown>): string {
  const [header, payload, signature] = token.split(".");
  const decoded = JSON.parse(atob(payload!.replace(/-/g, "+").replace(/_/g, "/")));
  const encoded = btoa(JSON.stringify({ ...decoded, ...claims }))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
  return `${header}.${encoded}.${signature}`;
}

describe("userinfo: refused tokens", () => {
  it("refuses a token whose family was revoked", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    expect((await bearer(family.tokens.access_token)).status).toBe(200);

    await grantStub(family.sid).revoke();

    await expectInvalidToken(await bearer(family.tokens.access_token));
  });

  it("refuses a token whose grant has expired though the token itself has not", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    // Past the 14-day idle lifetime: the grant has ended.
    await ageFamily(family.sid, 1_209_601);

    await expectInvalidToken(await bearer(family.tokens.access_token));
  });

  it("refuses a token whose exp has passed, though its grant is live", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const now = Math.floor(Date.now() / 1000);
    const claims = { ...accessTokenClaims(client.client_id, family.sid), iat: now - 400, exp: now - 100 };

    await expectInvalidToken(await bearer(await signWithConfiguredKey(claims)));
  });

  it("refuses a token whose payload was changed after signing", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);

    await expectInvalidToken(await bearer(tampered(family.tokens.access_token, { sub: "user_mallory" })));
  });

  it("refuses a token whose signature was changed", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const token = family.tokens.access_token;
    const flipped = token.slice(0, -2) + (token.at(-2) === "A" ? "B" : "A") + token.at(-1);

    await expectInvalidToken(await bearer(flipped));
  });

  it("refuses a token that another issuer put its name to, even with Baton's key", async () => {
    const client = await registerClient();
    const sid = await newTestSid();
    const result = await grantStub(sid).startFamily({
      sid,
      clientId: client.client_id,
      subject: "user_alice",
      scope: ["openid", "profile"],
      claims: {},
      authTime: Math.floor(Date.now() / 1000),
      issuer: "https://other.test",
    });
    expect(result.ok).toBe(true);
    const token = (JSON.parse((result as { body: string }).body) as { access_token: string }).access_token;

    await expectInvalidToken(await bearer(token));
  });

  it("refuses the ID token presented as an access token (typ is not at+jwt)", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);

    await expectInvalidToken(await bearer(family.tokens.id_token!));
  });

  it("refuses a token with typ JWT even when its claims are an access token's", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const token = await signWithConfiguredKey(accessTokenClaims(client.client_id, family.sid), 0, { typ: "JWT" });

    await expectInvalidToken(await bearer(token));
  });

  it("refuses a token whose kid names a key of another algorithm", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const keys = configuredKeys();
    // Signed by key 2 with its own alg, but claiming to be key 0's.
    const token = await signWithConfiguredKey(accessTokenClaims(client.client_id, family.sid), 2, {
      kid: keys[0]!.kid,
    });

    await expectInvalidToken(await bearer(token));
  });

  it("refuses a token whose kid is unknown", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const token = await signWithConfiguredKey(accessTokenClaims(client.client_id, family.sid), 0, {
      kid: "retired-long-ago",
    });

    await expectInvalidToken(await bearer(token));
  });

  it("refuses an unsigned token (alg none)", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const encode = (value: unknown) =>
      btoa(JSON.stringify(value)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    const token = `${encode({ alg: "none", typ: "at+jwt" })}.${encode(accessTokenClaims(client.client_id, family.sid))}.`;

    await expectInvalidToken(await bearer(token));
  });

  it("refuses a token naming the grant of another client", async () => {
    const client = await registerClient();
    const other = await registerClient();
    const family = await startFamily(client.client_id);
    const token = await signWithConfiguredKey(accessTokenClaims(other.client_id, family.sid));

    await expectInvalidToken(await bearer(token));
  });

  it("refuses a token naming a grant that never existed", async () => {
    const client = await registerClient();
    const token = await signWithConfiguredKey(accessTokenClaims(client.client_id, await newTestSid()));

    await expectInvalidToken(await bearer(token));
  });

  it("refuses a token whose client was deleted", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    expect((await admin("DELETE", `/admin/clients/${client.client_id}`)).status).toBe(204);

    await expectInvalidToken(await bearer(family.tokens.access_token));
  });

  it("refuses a machine client's token, which names no user and no grant", async () => {
    const client = await registerClient({ grant_types: ["client_credentials"], redirect_uris: [], scope: "openid" });
    const response = await tokenRequest(client, { grant_type: "client_credentials" });
    expect(response.status).toBe(200);
    const { access_token } = await response.json<{ access_token: string }>();

    await expectInvalidToken(await bearer(access_token));
  });

  it.each([
    ["a random word", "not-a-token"],
    ["three empty parts", ".."],
    ["a refresh token", `rt_${"A".repeat(91)}`],
    ["an absurdly long token", "a".repeat(10_000)],
  ])("refuses %s", async (_name, token) => {
    await expectInvalidToken(await bearer(token));
  });

  it("refuses a Bearer header whose credentials are not a token", async () => {
    const response = await call("/oauth2/userinfo", { headers: { Authorization: "Bearer two words" } });

    await expectInvalidToken(response);
  });

  it("takes the issuer from ISSUER, whatever host the request came to", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const request = new Request("https://elsewhere.test/oauth2/userinfo", {
      headers: { Authorization: `Bearer ${family.tokens.access_token}` },
    });

    expect((await exports.default.fetch(request)).status).toBe(200);
  });

  it("takes the issuer from a loopback request's origin when ISSUER is unset, and serves no other host", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const withoutIssuer = { ...env, ISSUER: "" };
    const at = (origin: string) =>
      worker.fetch(
        new Request(`${origin}/oauth2/userinfo`, {
          headers: { Authorization: `Bearer ${family.tokens.access_token}` },
        }),
        withoutIssuer,
        createExecutionContext(),
      );

    // The token's issuer is https://baton.test: at localhost the issuer is http://localhost:8787.
    await expectInvalidToken(await at("http://localhost:8787"));
    // Anywhere else, an issuer would come from the Host header: a configuration error instead.
    expect((await at("https://baton.test")).status).toBe(500);
  });
});
