/**
 * `verifyIdToken` on its own, as RP-initiated logout uses it for `id_token_hint`: Baton's own ID
 * tokens pass, expired ones too when asked to; anything signed otherwise, typed otherwise, of
 * another issuer or of another shape does not.
 */
import { env } from "cloudflare:workers";
import { SignJWT, decodeJwt, exportJWK, generateKeyPair, type JWTPayload } from "jose";
import { describe, expect, it } from "vitest";
import { loadSigningKeys } from "../../src/tokens/keys";
import { verifyIdToken } from "../../src/tokens/verify-id-token";
import { registerClient } from "../support/clients";
import { startFamily } from "../support/families";
import { configuredKeys, signWithConfiguredKey } from "../userinfo/test-tokens";

const keys = () => loadSigningKeys(env.SIGNING_KEYS);

/** The claims of an ID token Baton would issue for `clientId` and `sid`, live for an hour. */
function idTokenClaims(clientId = "client_x", sid = "sid_x"): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return { iss: env.ISSUER, sub: "user_alice", aud: clientId, iat: now, exp: now + 3600, auth_time: now, sid };
}

/** Signs as Baton signs ID tokens: a configured key, `typ: "JWT"`. */
function signIdToken(payload: JWTPayload, index = 0, header: Record<string, string> = {}) {
  return signWithConfiguredKey(payload, index, { typ: "JWT", ...header });
}

describe("verifyIdToken", () => {
  it("returns every claim of an ID token Baton issued", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id, { nonce: "n-1" });

    const claims = await verifyIdToken(family.tokens.id_token!, await keys(), env.ISSUER!);

    expect(claims).toEqual(decodeJwt(family.tokens.id_token!));
    expect(claims).toMatchObject({ aud: client.client_id, sid: family.sid, sub: "user_alice" });
  });

  it("accepts an expired ID token only when asked to", async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await signIdToken({ ...idTokenClaims(), iat: now - 7200, exp: now - 3600 });

    expect(await verifyIdToken(expired, await keys(), env.ISSUER!)).toBeUndefined();
    expect(await verifyIdToken(expired, await keys(), env.ISSUER!, { acceptExpired: true })).toMatchObject({
      sid: "sid_x",
    });
  });

  it("verifies ID tokens signed by every configured key, not only the first", async () => {
    for (const index of configuredKeys().keys()) {
      const token = await signIdToken(idTokenClaims(), index);
      expect(await verifyIdToken(token, await keys(), env.ISSUER!), `key ${index}`).toBeDefined();
    }
  });

  it("returns undefined for an ID token of another issuer", async () => {
    const token = await signIdToken({ ...idTokenClaims(), iss: "https://other.test" });

    expect(await verifyIdToken(token, await keys(), env.ISSUER!, { acceptExpired: true })).toBeUndefined();
  });

  it("returns undefined for Baton's access tokens: their typ is at+jwt", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);

    expect(await verifyIdToken(family.tokens.access_token, await keys(), env.ISSUER!)).toBeUndefined();
  });

  it.each([["logout+jwt"], ["at+jwt"], ["application/at+jwt"]])(
    "returns undefined for a token typed %s",
    async (typ) => {
      const token = await signIdToken(idTokenClaims(), 0, { typ });

      expect(await verifyIdToken(token, await keys(), env.ISSUER!)).toBeUndefined();
    },
  );

  it("returns undefined for a token signed by a key that is not configured, under a configured kid", async () => {
    const jwk = configuredKeys()[0]!;
    const { privateKey } = await generateKeyPair(jwk.alg, { extractable: true });
    const token = await new SignJWT(idTokenClaims())
      .setProtectedHeader({ alg: jwk.alg, kid: jwk.kid, typ: "JWT" })
      .sign(privateKey);

    expect(await verifyIdToken(token, await keys(), env.ISSUER!)).toBeUndefined();
  });

  it("returns undefined when the header names another algorithm than its key's", async () => {
    const secret = new TextEncoder().encode(
      JSON.stringify(await exportJWK((await generateKeyPair("ES256")).publicKey)),
    );
    const token = await new SignJWT(idTokenClaims())
      .setProtectedHeader({ alg: "HS256", kid: configuredKeys()[0]!.kid, typ: "JWT" })
      .sign(secret);

    expect(await verifyIdToken(token, await keys(), env.ISSUER!)).toBeUndefined();
  });

  it("returns undefined for an unsigned token (alg none)", async () => {
    const encode = (value: unknown) =>
      btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
    const token = `${encode({ alg: "none", typ: "JWT" })}.${encode(idTokenClaims())}.`;

    expect(await verifyIdToken(token, await keys(), env.ISSUER!)).toBeUndefined();
  });

  it.each([
    ["sid", undefined],
    ["sid", 7],
    ["sub", 42],
    ["aud", ["client_x", "client_y"]],
    ["aud", undefined],
    ["iat", undefined],
    ["exp", undefined],
    ["azp", "client_y"],
  ])("returns undefined when %s is %j", async (name, value) => {
    const token = await signIdToken({ ...idTokenClaims(), [name]: value });

    expect(await verifyIdToken(token, await keys(), env.ISSUER!)).toBeUndefined();
  });

  it("accepts an azp that names the audience itself", async () => {
    const token = await signIdToken({ ...idTokenClaims(), azp: "client_x" });

    expect(await verifyIdToken(token, await keys(), env.ISSUER!)).toBeDefined();
  });

  it("returns undefined for a token of more than 8192 characters, before any parsing", async () => {
    const token = await signIdToken({ ...idTokenClaims(), padding: "x".repeat(9000) });

    expect(await verifyIdToken(token, await keys(), env.ISSUER!)).toBeUndefined();
  });
});
