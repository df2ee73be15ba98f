/**
 * `verifyAccessToken` on its own: it checks the token (signature, typ, issuer, lifetime, shape)
 * and nothing about the grant, which userinfo and introspection ask the grant about.
 */
import { env } from "cloudflare:workers";
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { loadSigningKeys } from "../../src/tokens/keys";
import { verifyAccessToken } from "../../src/tokens/verify-access-token";
import { registerClient } from "../support/clients";
import { grantStub, startFamily } from "../support/families";
import { accessTokenClaims, signWithConfiguredKey } from "./test-tokens";

const keys = () => loadSigningKeys(env.SIGNING_KEYS);

describe("verifyAccessToken", () => {
  it("returns every claim of a token Baton issued", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);

    const claims = await verifyAccessToken(family.tokens.access_token, await keys(), env.ISSUER!);

    expect(claims).toEqual(decodeJwt(family.tokens.access_token));
    expect(claims).toMatchObject({ iss: env.ISSUER, sub: "user_alice", client_id: client.client_id, sid: family.sid });
  });

  it("still verifies a token whose grant was revoked: liveness is the caller's question", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    await grantStub(family.sid).revoke();

    expect(await verifyAccessToken(family.tokens.access_token, await keys(), env.ISSUER!)).toBeDefined();
  });

  it("returns undefined for a token of another issuer", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);

    expect(await verifyAccessToken(family.tokens.access_token, await keys(), "https://other.test")).toBeUndefined();
  });

  it.each([
    ["sub", 42],
    ["client_id", undefined],
    ["jti", undefined],
    ["scope", ["openid"]],
    ["sid", 7],
    ["aud", undefined],
    ["iat", undefined],
  ])("returns undefined when %s is %j", async (name, value) => {
    const claims = { ...accessTokenClaims("client_x", "sid_x"), [name]: value };

    expect(await verifyAccessToken(await signWithConfiguredKey(claims), await keys(), env.ISSUER!)).toBeUndefined();
  });

  it("returns the claims of a well-formed token signed by a configured key", async () => {
    const claims = accessTokenClaims("client_x", "sid_x");

    expect(await verifyAccessToken(await signWithConfiguredKey(claims), await keys(), env.ISSUER!)).toEqual(claims);
  });
});
