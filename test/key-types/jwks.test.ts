/**
 * The published keys and the tokens they verify, for each signing algorithm Baton supports: this
 * file runs once per test project, and `TEST_SIGNING_ALG` names the algorithm of the key that
 * signs in that project.
 *
 * @see RFC 7517 §5, OIDC Core §10.1, RFC 9068 §4
 */
import { env } from "cloudflare:workers";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet, type JWK } from "jose";
import { describe, expect, it } from "vitest";
import { registerClient } from "../support/clients";
import { startFamily } from "../support/families";
import { refresh } from "../support/token-requests";
import { BASE, call } from "../support/worker";

const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];
const PUBLIC_MEMBERS: Record<string, string[]> = {
  EC: ["kty", "crv", "x", "y", "kid", "alg", "use"],
  OKP: ["kty", "crv", "x", "kid", "alg", "use"],
  RSA: ["kty", "n", "e", "kid", "alg", "use"],
};

async function jwks(): Promise<JSONWebKeySet> {
  const response = await call("/oauth2/jwks");
  expect(response.status).toBe(200);
  expect(response.headers.get("Content-Type")).toBe("application/json");
  return response.json<JSONWebKeySet>();
}

async function refreshedTokens(): Promise<{ clientId: string; access_token: string; id_token: string }> {
  const client = await registerClient();
  const family = await startFamily(client.client_id);
  const response = await refresh(client, family.tokens.refresh_token);
  expect(response.status).toBe(200);
  return { clientId: client.client_id, ...(await response.json<{ access_token: string; id_token: string }>()) };
}

describe(`JWKS and token signatures (${env.TEST_SIGNING_ALG} signs)`, () => {
  it("publishes every configured key, the signing key first", async () => {
    const { keys } = await jwks();

    expect(keys.map((key) => key.alg).sort()).toEqual(["ES256", "EdDSA", "RS256"]);
    expect(keys[0]!.alg).toBe(env.TEST_SIGNING_ALG);
  });

  it("publishes public members only: no d, p, q, dp, dq, qi", async () => {
    const { keys } = await jwks();

    for (const key of keys) {
      for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member);
      expect(Object.keys(key).sort()).toEqual([...PUBLIC_MEMBERS[key.kty!]!].sort());
    }
  });

  it("gives every key a unique kid, use sig and an alg that fits its type", async () => {
    const { keys } = await jwks();

    expect(new Set(keys.map((key) => key.kid)).size).toBe(keys.length);
    for (const key of keys) {
      expect(key.kid).toEqual(expect.any(String));
      expect(key.use).toBe("sig");
      const expected = { EC: "ES256", OKP: "EdDSA", RSA: "RS256" }[key.kty as "EC" | "OKP" | "RSA"];
      expect(key.alg).toBe(expected);
    }
  });

  it("signs a refresh's access token with the first key, verifiable against the JWKS", async () => {
    const tokens = await refreshedTokens();
    const set = await jwks();

    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, createLocalJWKSet(set), {
      issuer: BASE,
      audience: tokens.clientId,
      typ: "at+jwt",
      algorithms: [env.TEST_SIGNING_ALG],
    });

    expect(protectedHeader.alg).toBe(env.TEST_SIGNING_ALG);
    expect(protectedHeader.kid).toBe(set.keys[0]!.kid);
    expect(payload.client_id).toBe(tokens.clientId);
  });

  it("signs a refresh's ID token with the first key, verifiable against the JWKS", async () => {
    const tokens = await refreshedTokens();
    const set = await jwks();

    const { payload, protectedHeader } = await jwtVerify(tokens.id_token, createLocalJWKSet(set), {
      issuer: BASE,
      audience: tokens.clientId,
      algorithms: [env.TEST_SIGNING_ALG],
      requiredClaims: ["sub", "iat", "exp", "auth_time"],
    });

    expect(protectedHeader.alg).toBe(env.TEST_SIGNING_ALG);
    expect(protectedHeader.kid).toBe(set.keys[0]!.kid);
    expect(payload.sub).toBe("user_alice");
  });

  it("signs with the first key alone: the other published keys do not verify its tokens", async () => {
    const tokens = await refreshedTokens();
    const set = await jwks();
    const others: JWK[] = set.keys.filter((key) => key.kid !== decodeProtectedHeader(tokens.access_token).kid);

    expect(others).toHaveLength(set.keys.length - 1);
    await expect(jwtVerify(tokens.access_token, createLocalJWKSet({ keys: others }))).rejects.toThrow();
    await expect(jwtVerify(tokens.id_token, createLocalJWKSet({ keys: others }))).rejects.toThrow();
  });
});
