/**
 * The claims a login hands over: any claim but those Baton sets itself (refused, never dropped),
 * standard ones released by their scope, others with `openid`; `access_token_claims` in every
 * access token of the grant; at most 4 KiB of them.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { expectError } from "../http/support-token-endpoint";
import { registerClient, type TestClient } from "../support/clients";
import { aliceLogin, complete, jwtPayload, runCodeFlow, startAuthorization } from "../support/code-flow";
import { refresh } from "../support/token-requests";
import { call } from "../support/worker";

let client: TestClient;

beforeAll(async () => {
  client = await registerClient({ scope: "openid profile email phone address offline_access" });
});

async function refused(body: Record<string, unknown>, description: string): Promise<void> {
  const started = await startAuthorization(client);
  await expectError(await complete(started.id, { subject: "user_alice", ...body }), {
    status: 400,
    error: "invalid_request",
    description,
  });
}

describe("claims", () => {
  it.each([
    "iss",
    "sub",
    "aud",
    "exp",
    "nbf",
    "iat",
    "jti",
    "auth_time",
    "nonce",
    "azp",
    "sid",
    "at_hash",
    "c_hash",
    "acr",
    "amr",
    "cnf",
    "client_id",
    "scope",
    "org_id",
    "act",
  ])("refuses %s, which Baton sets itself, in claims and in access_token_claims", async (name) => {
    await refused({ claims: { [name]: "x" } }, "claims may not set a claim Baton sets itself.");
    await refused(
      { access_token_claims: { [name]: "x" } },
      "access_token_claims may not set a claim Baton sets itself.",
    );
  });

  it.each([
    ['{"__proto__":{"injected":"yes"}}', "an object"],
    ['{"__proto__":"x"}', "a string"],
  ])("refuses a claim named __proto__ (%s, %s) in claims and access_token_claims, never dropping it", async (raw) => {
    // JSON.parse makes __proto__ an own member, as a host application's JSON library sends it.
    const value = JSON.parse(raw) as Record<string, unknown>;
    await refused({ claims: value }, "claims may not have a claim named __proto__.");
    await refused({ access_token_claims: value }, "access_token_claims may not have a claim named __proto__.");
  });

  it("keeps a __proto__ member nested inside a claim as data", async () => {
    const claims = JSON.parse('{"tenant":{"__proto__":{"id":"t1"},"name":"acme"}}') as Record<string, unknown>;
    const { tokens } = await runCodeFlow(client, { scope: "openid offline_access" }, aliceLogin({ claims }));
    const tenant = (jwtPayload(tokens.id_token!) as { tenant: Record<string, unknown> }).tenant;
    expect(Object.getPrototypeOf(tenant)).toBe(Object.prototype);
    expect(Object.keys(tenant).sort()).toEqual(["__proto__", "name"]);
  });

  it("releases phone and address with their scopes, and any other claim to ID token and userinfo with openid", async () => {
    const claims = {
      phone_number: "+44 20 7946 0000",
      phone_number_verified: true,
      address: { locality: "London", country: "GB" },
      groups: ["admins", "writers"],
      tenant: { id: "t1" },
    };
    const { tokens } = await runCodeFlow(
      client,
      { scope: "openid phone address offline_access" },
      aliceLogin({ claims }),
    );

    expect(jwtPayload(tokens.id_token!)).toMatchObject(claims);
    const userinfo = await call("/oauth2/userinfo", { headers: { Authorization: `Bearer ${tokens.access_token}` } });
    expect(await userinfo.json()).toEqual({ sub: "user_alice", ...claims });
  });

  it("puts access_token_claims into every access token of the grant, and not into the ID token", async () => {
    const { tokens } = await runCodeFlow(
      client,
      {},
      aliceLogin({ access_token_claims: { role: "admin", permissions: ["read", "write"] } }),
    );

    expect(jwtPayload(tokens.access_token)).toMatchObject({
      role: "admin",
      permissions: ["read", "write"],
      sub: "user_alice",
    });
    expect(jwtPayload(tokens.id_token!)).not.toHaveProperty("role");
    const refreshed = await (await refresh(client, tokens.refresh_token!)).json<{ access_token: string }>();
    expect(jwtPayload(refreshed.access_token)).toMatchObject({ role: "admin", permissions: ["read", "write"] });
  });

  it("refuses more than 4 KiB of claims and access token claims together", async () => {
    await refused(
      { claims: { bio: "x".repeat(2100) }, access_token_claims: { notes: "y".repeat(2100) } },
      "claims and access_token_claims may hold at most 4 KiB of JSON together.",
    );
  });

  it("refuses claims nested more than three levels deep", async () => {
    await refused({ claims: { a: { b: { c: { d: { e: 1 } } } } } }, "claims may nest at most three levels deep.");
  });

  it.each([
    [{ phone_number_verified: "yes" }, "claims.phone_number_verified has the wrong type."],
    [{ address: "London" }, "claims.address has the wrong type."],
    [{ updated_at: "yesterday" }, "claims.updated_at has the wrong type."],
  ])("refuses a standard claim of the wrong type (%j)", async (claims, description) => {
    await refused({ claims }, description);
  });
});
