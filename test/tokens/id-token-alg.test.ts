/**
 * `id_token_signed_response_alg` (OpenID Connect Registration §2): a client that registered for
 * RS256 gets its ID tokens signed by the first RS256 key, while access tokens keep the signing
 * key; an algorithm no configured key has is refused at registration.
 */
import { env } from "cloudflare:workers";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { registerClient } from "../support/clients";
import { runCodeFlow } from "../support/code-flow";
import { refresh } from "../support/token-requests";
import { admin, call } from "../support/worker";

async function jwks() {
  return createLocalJWKSet(await (await call("/oauth2/jwks")).json());
}

describe("id_token_signed_response_alg", () => {
  it("signs a client's ID tokens with the algorithm it registered, at login and on refresh", async () => {
    const client = await registerClient({ id_token_signed_response_alg: "RS256" });
    const { tokens } = await runCodeFlow(client);
    const keys = await jwks();

    expect(decodeProtectedHeader(tokens.id_token!)).toMatchObject({ alg: "RS256", kid: "test-rs256" });
    await jwtVerify(tokens.id_token!, keys, { issuer: env.ISSUER, audience: client.client_id });
    // The access token keeps the signing key's algorithm.
    expect(decodeProtectedHeader(tokens.access_token).alg).toBe(env.TEST_SIGNING_ALG);
    const refreshed = await (await refresh(client, tokens.refresh_token!)).json<{ id_token: string }>();
    expect(decodeProtectedHeader(refreshed.id_token).alg).toBe("RS256");
  });

  it("uses the signing key for a client that registered none", async () => {
    const { tokens } = await runCodeFlow(await registerClient());

    expect(decodeProtectedHeader(tokens.id_token!).alg).toBe(env.TEST_SIGNING_ALG);
  });

  it.each([["HS256"], ["ES512"], ["none"], [42]])("refuses %j at registration", async (alg) => {
    const response = await admin("POST", "/admin/clients", {
      redirect_uris: ["https://app.example/callback"],
      id_token_signed_response_alg: alg,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: "invalid_client_metadata",
      error_description: "id_token_signed_response_alg must be the algorithm of one of the configured signing keys.",
    });
  });
});
