/**
 * The access token of a refresh: an RFC 9068 JWT with the claims WorkOS Connect clients read.
 *
 * @see RFC 9068 §2, CONTRACT.md token response table
 */
import { env } from "cloudflare:workers";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { describe, expect, it } from "vitest";
import { registerClient } from "../support/clients";
import { startFamily } from "../support/families";
import { refresh } from "../support/token-requests";
import { BASE, call } from "../support/worker";

interface TokenBody {
  access_token: string;
  expires_in: number;
  scope: string;
}

async function refreshed(organizationId?: string, extra: Record<string, string> = {}) {
  const client = await registerClient();
  const family = await startFamily(client.client_id, organizationId === undefined ? {} : { organizationId });
  const response = await refresh(client, family.tokens.refresh_token, extra);
  expect(response.status).toBe(200);
  return { client, family, body: await response.json<TokenBody>() };
}

describe("access token on refresh", () => {
  it("has an RFC 9068 header: typ at+jwt, the signing key's kid and alg", async () => {
    const { body } = await refreshed();
    const jwks = await (await call("/oauth2/jwks")).json<{ keys: { kid: string; alg: string }[] }>();

    const header = decodeProtectedHeader(body.access_token);

    expect(header).toEqual({ typ: "at+jwt", alg: env.TEST_SIGNING_ALG, kid: jwks.keys[0]!.kid });
  });

  it("carries exactly iss, sub, aud, client_id, scope, jti, iat, exp, sid and org_id", async () => {
    const before = Math.floor(Date.now() / 1000);
    const { client, family, body } = await refreshed("org_1");
    const after = Math.ceil(Date.now() / 1000);

    const claims = decodeJwt(body.access_token);

    expect(claims).toEqual({
      iss: BASE,
      sub: "user_alice",
      aud: client.client_id,
      client_id: client.client_id,
      scope: "openid profile email offline_access",
      jti: expect.stringMatching(/^[A-Za-z0-9_-]{22,}$/),
      iat: expect.any(Number),
      exp: claims.iat! + 300,
      sid: family.sid,
      org_id: "org_1",
    });
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(claims.iat).toBeLessThanOrEqual(after);
  });

  it("has no org_id when the grant has no organization", async () => {
    const { body } = await refreshed();

    expect(decodeJwt(body.access_token)).not.toHaveProperty("org_id");
  });

  it("states expires_in as the token's own exp - iat", async () => {
    const { body } = await refreshed();
    const claims = decodeJwt(body.access_token);

    expect(body.expires_in).toBe(claims.exp! - claims.iat!);
    expect(body.expires_in).toBe(300);
  });

  it("states the response's scope in its scope claim", async () => {
    const { body } = await refreshed(undefined, { scope: "email openid" });

    expect(decodeJwt(body.access_token).scope).toBe(body.scope);
  });

  it("gets a fresh jti at every refresh, and on a replay the same token again", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const first = await (
      await refresh(client, family.tokens.refresh_token)
    ).json<TokenBody & { refresh_token: string }>();
    const replay = await (await refresh(client, family.tokens.refresh_token)).json<TokenBody>();
    const second = await (await refresh(client, first.refresh_token)).json<TokenBody>();

    const jtis = [family.tokens.access_token, first.access_token, second.access_token].map(
      (token) => decodeJwt(token).jti,
    );
    expect(new Set(jtis).size).toBe(3);
    expect(replay.access_token).toBe(first.access_token);
  });
});
