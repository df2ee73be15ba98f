/**
 * The server metadata at `/.well-known/openid-configuration` (OIDC Discovery) and
 * `/.well-known/oauth-authorization-server` (RFC 8414): the same document, naming the
 * configured issuer exactly and listing only what Baton does.
 */
import { env } from "cloudflare:workers";
import { createExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { call, callerWith } from "../support/worker";

const PATHS = ["/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"];
const ISSUER = "https://baton.test";

/** The signing key's algorithm first, then the other published keys' (vitest.config.ts). */
function algorithms(): string[] {
  const all = ["ES256", "EdDSA", "RS256"];
  return [env.TEST_SIGNING_ALG, ...all.filter((alg) => alg !== env.TEST_SIGNING_ALG)];
}

function expectedMetadata(issuer: string) {
  const auth = ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"];
  const assertionAlgorithms = ["RS256", "PS256", "ES256", "EdDSA"];
  return {
    issuer,
    authorization_endpoint: `${issuer}/oauth2/authorize`,
    token_endpoint: `${issuer}/oauth2/token`,
    userinfo_endpoint: `${issuer}/oauth2/userinfo`,
    jwks_uri: `${issuer}/oauth2/jwks`,
    revocation_endpoint: `${issuer}/oauth2/revoke`,
    introspection_endpoint: `${issuer}/oauth2/introspection`,
    device_authorization_endpoint: `${issuer}/oauth2/device_authorization`,
    end_session_endpoint: `${issuer}/oauth2/logout`,
    scopes_supported: ["openid", "profile", "email", "phone", "address", "offline_access"],
    response_types_supported: ["code"],
    response_modes_supported: ["query"],
    grant_types_supported: [
      "authorization_code",
      "refresh_token",
      "client_credentials",
      "urn:ietf:params:oauth:grant-type:device_code",
      "urn:ietf:params:oauth:grant-type:token-exchange",
    ],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: algorithms(),
    token_endpoint_auth_methods_supported: auth,
    revocation_endpoint_auth_methods_supported: auth,
    introspection_endpoint_auth_methods_supported: auth,
    token_endpoint_auth_signing_alg_values_supported: assertionAlgorithms,
    revocation_endpoint_auth_signing_alg_values_supported: assertionAlgorithms,
    introspection_endpoint_auth_signing_alg_values_supported: assertionAlgorithms,
    code_challenge_methods_supported: ["S256"],
    dpop_signing_alg_values_supported: ["ES256", "EdDSA", "RS256", "PS256"],
    claims_supported: [
      "iss",
      "sub",
      "aud",
      "exp",
      "iat",
      "auth_time",
      "nonce",
      "sid",
      "org_id",
      "name",
      "family_name",
      "given_name",
      "middle_name",
      "nickname",
      "preferred_username",
      "profile",
      "picture",
      "website",
      "gender",
      "birthdate",
      "zoneinfo",
      "locale",
      "updated_at",
      "email",
      "email_verified",
      "phone_number",
      "phone_number_verified",
      "address",
    ],
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    authorization_response_iss_parameter_supported: true,
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
  };
}

describe("discovery", () => {
  it.each(PATHS)("serves the whole metadata document at %s, cacheable for five minutes", async (path) => {
    const response = await call(path);

    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/json");
    expect(response.headers.get("Cache-Control")).toBe("public, max-age=300");
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(await response.json()).toEqual(expectedMetadata(ISSUER));
  });

  it("names exactly the configured ISSUER, under which every endpoint lives", async () => {
    const metadata = await (await call(PATHS[0]!)).json<Record<string, unknown>>();

    expect(metadata.issuer).toBe(env.ISSUER);
    const urls = Object.entries(metadata).filter(([name]) => name.endsWith("_endpoint") || name === "jwks_uri");
    expect(urls.map(([name]) => name).sort()).toEqual(
      [
        "authorization_endpoint",
        "device_authorization_endpoint",
        "end_session_endpoint",
        "introspection_endpoint",
        "jwks_uri",
        "revocation_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
      ].sort(),
    );
    for (const [, url] of urls) expect(url).toMatch(new RegExp(`^${env.ISSUER!.replace(/\./g, "\\.")}/`));
  });

  it("lists a jwks_uri that serves a key for every advertised signing algorithm", async () => {
    const metadata = await (await call(PATHS[0]!)).json<{ jwks_uri: string }>();

    const jwks = await (await call(new URL(metadata.jwks_uri).pathname)).json<{ keys: { alg: string }[] }>();

    expect(jwks.keys.map((key) => key.alg)).toEqual(algorithms());
  });

  it.each(["authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri", "end_session_endpoint"])(
    "lists a %s that the Worker serves",
    async (name) => {
      const metadata = await (await call(PATHS[0]!)).json<Record<string, string>>();

      // Any method: the point is that the path exists (a 404 would mean it does not).
      const response = await call(new URL(metadata[name]!).pathname);

      expect(response.status).not.toBe(404);
    },
  );

  it("takes the issuer from the request's origin when ISSUER is unset", async () => {
    const request = new Request("http://localhost:8787/.well-known/oauth-authorization-server");

    const response = await worker.fetch(request, { ...env, ISSUER: "" }, createExecutionContext());

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(expectedMetadata("http://localhost:8787"));
  });

  it("answers 500 server_error, not a document without keys, when SIGNING_KEYS is unset", async () => {
    const request = new Request(`${ISSUER}/.well-known/openid-configuration`);

    const response = await worker.fetch(request, { ...env, SIGNING_KEYS: "" }, createExecutionContext());

    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({
      error: "server_error",
      error_description: "The server could not complete the request.",
    });
  });

  it.each(PATHS)("lists registration_endpoint at %s while DYNAMIC_REGISTRATION is open", async (path) => {
    const response = await callerWith({ DYNAMIC_REGISTRATION: "open" })(path);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      ...expectedMetadata(ISSUER),
      registration_endpoint: `${ISSUER}/oauth2/register`,
    });
  });

  it.each(PATHS)("says client_id_metadata_document_supported at %s while metadata documents are on", async (path) => {
    const response = await callerWith({ CLIENT_ID_METADATA_DOCUMENTS: "true" })(path);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      ...expectedMetadata(ISSUER),
      client_id_metadata_document_supported: true,
    });
  });

  it.each(PATHS)("refuses POST at %s with 405 and Allow: GET", async (path) => {
    const response = await call(path, { method: "POST" });

    expect(response.status).toBe(405);
    expect(response.headers.get("Allow")).toBe("GET");
    expect(await response.json()).toEqual({
      error: "invalid_request",
      error_description: "This method is not allowed here.",
    });
  });
});
