/**
 * The client metadata members beyond the basic ones (RFC 7591 §2, OIDC Registration §2), as the
 * admin API takes them: what a consent screen shows (client_uri, logo_uri, contacts, software),
 * post-logout redirect URIs, and the public keys of `private_key_jwt` (RFC 7523 §2.2), which must
 * never be private ones.
 */
import { env } from "cloudflare:workers";
import { exportJWK, generateKeyPair } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { expectError } from "../http/support-token-endpoint";
import { ADMIN_TOKEN, WEB_CLIENT_METADATA, admin, callerWith } from "../support/worker";

const MESSAGE = {
  applicationType: "application_type must be web or native.",
  clientUri: "client_uri must be an https URL without a user name or fragment.",
  logoUri: "logo_uri must be an https URL without a user name or fragment.",
  contacts: "contacts must be an array of at most 10 strings of 1 to 200 printable characters.",
  softwareId: "software_id must be a string of 1 to 200 printable characters.",
  softwareVersion: "software_version must be a string of 1 to 200 printable characters.",
  postLogout: "post_logout_redirect_uris must be an array of at most 20 URIs.",
};

let publicJwk: Record<string, unknown>;

beforeAll(async () => {
  const { publicKey } = await generateKeyPair("ES256", { extractable: true });
  publicJwk = { ...(await exportJWK(publicKey)), kid: "key-1", alg: "ES256", use: "sig" };
});

function register(change: Record<string, unknown>): Promise<Response> {
  return admin("POST", "/admin/clients", { ...WEB_CLIENT_METADATA, ...change });
}

async function expectCreated(response: Response): Promise<Record<string, unknown>> {
  const text = await response.text();
  expect(response.status, text).toBe(201);
  return JSON.parse(text);
}

describe("the members a consent screen shows", () => {
  it("stores and returns each of them as given", async () => {
    const members = {
      application_type: "native",
      client_uri: "https://app.example/",
      logo_uri: "https://cdn.app.example/logo.png?v=2",
      contacts: ["admin@app.example", "security@app.example"],
      software_id: "4NRB1-0XZABZI9E6-5SM3R",
      software_version: "2.1.0",
      post_logout_redirect_uris: ["https://app.example/signed-out", "com.example.app:/signed-out"],
    };
    const body = await expectCreated(await register(members));
    expect(body).toMatchObject(members);
    const stored = await env.CLIENTS.get<Record<string, unknown>>(`client:${body.client_id}`, "json");
    expect(stored).toMatchObject(members);
  });

  it("leaves out what was not given, or given as null, and keeps the rest", async () => {
    const body = await expectCreated(await register({ client_uri: null, contacts: null, software_id: "notes" }));
    for (const name of ["application_type", "client_uri", "logo_uri", "contacts", "software_version", "jwks"]) {
      expect(body).not.toHaveProperty(name);
    }
    expect(body.software_id).toBe("notes");
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["an application_type other than web or native", { application_type: "browser" }, MESSAGE.applicationType],
    ["a client_uri on plain http", { client_uri: "http://app.example/" }, MESSAGE.clientUri],
    ["a client_uri that is not a URL", { client_uri: "app.example" }, MESSAGE.clientUri],
    ["a client_uri with a user name", { client_uri: "https://bank.example@evil.example/" }, MESSAGE.clientUri],
    ["a client_uri with an empty userinfo", { client_uri: "https://@app.example/" }, MESSAGE.clientUri],
    ["a client_uri with a fragment", { client_uri: "https://app.example/#top" }, MESSAGE.clientUri],
    ["a client_uri with a space", { client_uri: "https://app.example/a b" }, MESSAGE.clientUri],
    ["a client_uri with a right-to-left override", { client_uri: "https://app.example/\u202egnp" }, MESSAGE.clientUri],
    ["a client_uri over 2000 characters", { client_uri: `https://app.example/${"a".repeat(2000)}` }, MESSAGE.clientUri],
    ["a logo_uri with the javascript scheme", { logo_uri: "javascript:alert(1)" }, MESSAGE.logoUri],
    ["a logo_uri that is a data URL", { logo_uri: "data:image/png;base64,AAAA" }, MESSAGE.logoUri],
    ["contacts as a string", { contacts: "admin@app.example" }, MESSAGE.contacts],
    ["contacts with a number", { contacts: ["admin@app.example", 7] }, MESSAGE.contacts],
    ["contacts with an empty string", { contacts: [""] }, MESSAGE.contacts],
    ["contacts with a line break", { contacts: ["a@app.example\nBcc: x@evil.example"] }, MESSAGE.contacts],
    ["eleven contacts", { contacts: Array.from({ length: 11 }, (_, i) => `c${i}@app.example`) }, MESSAGE.contacts],
    ["a software_id with a zero-width space", { software_id: "app\u200b" }, MESSAGE.softwareId],
    ["a software_version over 200 characters", { software_version: "1".repeat(201) }, MESSAGE.softwareVersion],
    [
      "post_logout_redirect_uris as a string",
      { post_logout_redirect_uris: "https://app.example/" },
      MESSAGE.postLogout,
    ],
  ])("refuses %s with invalid_client_metadata", async (_label, change, description) => {
    const before = (await env.CLIENTS.list()).keys.length;
    await expectError(await register(change), { status: 400, error: "invalid_client_metadata", description });
    expect((await env.CLIENTS.list()).keys.length).toBe(before);
  });

  it("refuses a post-logout redirect URI that breaks the redirect URI rules with invalid_redirect_uri", async () => {
    const response = await register({ post_logout_redirect_uris: ["https://app.example/out", "javascript:alert(1)"] });
    await expectError(response, {
      status: 400,
      error: "invalid_redirect_uri",
      description: "A redirect URI must not use a scheme that a browser or the system handles itself.",
    });
  });
});

// Every refusal of key material is in test/admin/key-clients.test.ts.
describe("private_key_jwt keys", () => {
  it("registers a client with a public JWK Set and no secret", async () => {
    const body = await expectCreated(
      await register({ token_endpoint_auth_method: "private_key_jwt", jwks: { keys: [publicJwk] } }),
    );
    expect(body).toMatchObject({ token_endpoint_auth_method: "private_key_jwt", jwks: { keys: [publicJwk] } });
    expect(body).not.toHaveProperty("client_secret");
    expect(body.client_secrets).toEqual([]);
  });

  it("registers a client with a jwks_uri", async () => {
    const jwksUri = "https://app.example/.well-known/jwks.json";
    const body = await expectCreated(
      await register({ token_endpoint_auth_method: "private_key_jwt", jwks_uri: jwksUri }),
    );
    expect(body).toMatchObject({ token_endpoint_auth_method: "private_key_jwt", jwks_uri: jwksUri });
  });

  it("keeps only the keys of a JWK Set", async () => {
    const body = await expectCreated(
      await register({ token_endpoint_auth_method: "private_key_jwt", jwks: { keys: [publicJwk], extra: "x" } }),
    );
    expect(body.jwks).toEqual({ keys: [publicJwk] });
  });

  it("refuses a jwks_uri on 127.0.0.1 over plain http unless CLIENT_METADATA_ALLOW_LOOPBACK is on", async () => {
    const strict = callerWith({ CLIENT_METADATA_ALLOW_LOOPBACK: "" });
    const response = await strict("/admin/clients", {
      method: "POST",
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({
        ...WEB_CLIENT_METADATA,
        token_endpoint_auth_method: "private_key_jwt",
        jwks_uri: "http://127.0.0.1:9/jwks",
      }),
    });
    await expectError(response, {
      status: 400,
      error: "invalid_client_metadata",
      description: "jwks_uri must be an https URL without a fragment or userinfo.",
    });
  });

  it("does not let a private_key_jwt client in with a secret it never had", async () => {
    const body = await expectCreated(
      await register({ token_endpoint_auth_method: "private_key_jwt", jwks: { keys: [publicJwk] } }),
    );
    const response = await admin("POST", `/admin/clients/${body.client_id}/secrets`);
    await expectError(response, {
      status: 400,
      error: "invalid_request",
      description: "This client authenticates with a key, not a secret.",
    });
  });
});
