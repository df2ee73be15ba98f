/**
 * GET /oauth2/authorize, requests refused once the client and its redirect URI are known: the
 * error goes back to the client with `error`, `error_description`, `state` and `iss`.
 *
 * @see RFC 6749 §4.1.2.1, RFC 7636 §4.4.1, RFC 9207 §2, OIDC Core §3.1.2.6
 */
import { env } from "cloudflare:workers";
import { listDurableObjectIds } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { registerClient, type TestClient } from "../support/clients";
import { REDIRECT_URI, authorizationQuery, authorize, expectErrorRedirect } from "../support/code-flow";
import { call } from "../support/worker";

const STATE = "af0ifjsldkj";
const REPEATED = "A parameter was given more than once.";
const S256_ONLY = "Only the S256 code_challenge_method is supported.";

let confidential: TestClient;
let publicClient: TestClient;
let machine: TestClient;

beforeAll(async () => {
  confidential = await registerClient({ scope: "openid email offline_access" });
  publicClient = await registerClient({ token_endpoint_auth_method: "none" });
  machine = await registerClient({
    grant_types: ["client_credentials"],
    redirect_uris: [REDIRECT_URI],
    scope: "reports:read",
  });
});

/** A well-formed request from `client` (with PKCE and `STATE`), changed by `change`. */
async function query(client: TestClient, change: (params: URLSearchParams) => void): Promise<URLSearchParams> {
  const params = new URLSearchParams((await authorizationQuery(client, { state: STATE, scope: "openid" })).query);
  change(params);
  return params;
}

describe("GET /oauth2/authorize: errors redirected to the client", () => {
  it.each([
    [
      "response_type is missing",
      (p: URLSearchParams) => p.delete("response_type"),
      "invalid_request",
      "The response_type parameter is required.",
    ],
    [
      "response_type is token",
      (p: URLSearchParams) => p.set("response_type", "token"),
      "unsupported_response_type",
      "Only response_type=code is supported.",
    ],
    [
      "response_type is code id_token",
      (p: URLSearchParams) => p.set("response_type", "code id_token"),
      "unsupported_response_type",
      "Only response_type=code is supported.",
    ],
    [
      "scope breaks RFC 6749 syntax",
      (p: URLSearchParams) => p.set("scope", 'openid "email"'),
      "invalid_scope",
      "The scope parameter is malformed.",
    ],
    [
      "scope reaches outside the client's",
      (p: URLSearchParams) => p.set("scope", "openid profile"),
      "invalid_scope",
      "The requested scope exceeds what the client may ask for.",
    ],
    [
      "code_challenge_method is plain",
      (p: URLSearchParams) => p.set("code_challenge_method", "plain"),
      "invalid_request",
      S256_ONLY,
    ],
    [
      "code_challenge_method is absent (plain by default)",
      (p: URLSearchParams) => p.delete("code_challenge_method"),
      "invalid_request",
      S256_ONLY,
    ],
    [
      "code_challenge_method is s256 in lower case",
      (p: URLSearchParams) => p.set("code_challenge_method", "s256"),
      "invalid_request",
      S256_ONLY,
    ],
    [
      "code_challenge is too short",
      (p: URLSearchParams) => p.set("code_challenge", "abc"),
      "invalid_request",
      "The code_challenge is malformed.",
    ],
    [
      "code_challenge is one character too long",
      (p: URLSearchParams) => p.set("code_challenge", `${p.get("code_challenge")}A`),
      "invalid_request",
      "The code_challenge is malformed.",
    ],
    [
      "code_challenge is padded base64",
      (p: URLSearchParams) => p.set("code_challenge", `${p.get("code_challenge")!.slice(0, 42)}=`),
      "invalid_request",
      "The code_challenge is malformed.",
    ],
    [
      "code_challenge_method comes without code_challenge",
      (p: URLSearchParams) => p.delete("code_challenge"),
      "invalid_request",
      "code_challenge_method was given without code_challenge.",
    ],
    ["scope is given twice", (p: URLSearchParams) => p.append("scope", "openid"), "invalid_request", REPEATED],
    [
      "code_challenge is given twice",
      (p: URLSearchParams) => p.append("code_challenge", p.get("code_challenge")!),
      "invalid_request",
      REPEATED,
    ],
    [
      "response_type is given twice",
      (p: URLSearchParams) => p.append("response_type", "code"),
      "invalid_request",
      REPEATED,
    ],
    [
      "prompt is none",
      (p: URLSearchParams) => p.set("prompt", "none"),
      "login_required",
      "Baton cannot authenticate the user without showing the login page.",
    ],
    [
      "prompt holds none among others",
      (p: URLSearchParams) => p.set("prompt", "consent none"),
      "invalid_request",
      "prompt=none cannot be combined with other values.",
    ],
    [
      "response_mode is fragment",
      (p: URLSearchParams) => p.set("response_mode", "fragment"),
      "invalid_request",
      "Only response_mode=query is supported.",
    ],
    [
      "a request object is sent",
      (p: URLSearchParams) => p.set("request", "eyJhbGciOiJub25lIn0.e30."),
      "request_not_supported",
      "Request objects are not supported.",
    ],
    [
      "a request_uri is sent",
      (p: URLSearchParams) => p.set("request_uri", "urn:example:request"),
      "request_uri_not_supported",
      "request_uri is not supported.",
    ],
    [
      "nonce is longer than 512 characters",
      (p: URLSearchParams) => p.set("nonce", "n".repeat(513)),
      "invalid_request",
      "The nonce parameter is too long.",
    ],
  ])("redirects with the error when %s", async (_case, change, error, description) => {
    const response = await authorize(await query(confidential, change));
    expectErrorRedirect(response, { error, description, state: STATE });
  });

  it("refuses a public client that sends no PKCE", async () => {
    const response = await authorize(
      await query(publicClient, (p) => {
        p.delete("code_challenge");
        p.delete("code_challenge_method");
      }),
    );
    expectErrorRedirect(response, {
      error: "invalid_request",
      description: "PKCE (code_challenge with S256) is required for this client.",
      state: STATE,
    });
  });

  it("refuses a client registered only for client_credentials with unauthorized_client", async () => {
    const response = await authorize(await query(machine, (p) => p.set("scope", "reports:read")));
    expectErrorRedirect(response, {
      error: "unauthorized_client",
      description: "The client is not allowed to use the authorization code flow.",
      state: STATE,
    });
  });

  it("drops a state given twice rather than choose one, and still redirects the error", async () => {
    const response = await authorize(await query(confidential, (p) => p.append("state", "other")));
    expectErrorRedirect(response, { error: "invalid_request", description: REPEATED, state: undefined });
  });

  it("sends no state back when the request had none, but still sends iss", async () => {
    const response = await authorize(
      await query(confidential, (p) => (p.delete("state"), p.set("response_type", "token"))),
    );
    expectErrorRedirect(response, {
      error: "unsupported_response_type",
      description: "Only response_type=code is supported.",
      state: undefined,
    });
  });

  it("treats an empty state as absent, as the success redirect does", async () => {
    const response = await authorize(
      await query(confidential, (p) => (p.set("state", ""), p.set("response_type", "token"))),
    );
    expectErrorRedirect(response, {
      error: "unsupported_response_type",
      description: "Only response_type=code is supported.",
      state: undefined,
    });
  });

  it("returns the state exactly, characters that need encoding included", async () => {
    const state = "a b&c=d/é?%";
    const response = await authorize(
      await query(confidential, (p) => (p.set("state", state), p.set("response_type", "token"))),
    );
    expectErrorRedirect(response, {
      error: "unsupported_response_type",
      description: "Only response_type=code is supported.",
      state,
    });
  });

  it("keeps the query of a registered redirect URI and adds the error to it", async () => {
    const redirectUri = "https://app.example/cb?tenant=acme";
    const client = await registerClient({ redirect_uris: [redirectUri] });
    const response = await authorize(
      await query(client, (p) => {
        p.set("redirect_uri", redirectUri);
        p.set("response_type", "token");
      }),
    );
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get("Location")!);
    expect([...location.searchParams]).toEqual([
      ["tenant", "acme"],
      ["error", "unsupported_response_type"],
      ["error_description", "Only response_type=code is supported."],
      ["state", STATE],
      ["iss", "https://baton.test"],
    ]);
  });

  it("checks the request before the login configuration: the client learns the real error", async () => {
    const response = await authorize(await query(confidential, (p) => p.set("prompt", "none")), {
      LOGIN_URL: undefined,
      DEV_LOGIN: undefined,
    });
    expectErrorRedirect(response, {
      error: "login_required",
      description: "Baton cannot authenticate the user without showing the login page.",
      state: STATE,
    });
  });

  it("redirects errors the same way whatever the login configuration (the plain project settings)", async () => {
    const params = await query(confidential, (p) => p.set("response_type", "token"));
    // A redirect left to the runtime would be followed to the client; a browser is the one to follow it.
    const response = await call(`/oauth2/authorize?${params}`, { redirect: "manual" });
    expectErrorRedirect(response, {
      error: "unsupported_response_type",
      description: "Only response_type=code is supported.",
      state: STATE,
    });
  });

  it("keeps no pending request for a refused one", async () => {
    const before = (await listDurableObjectIds(env.GRANTS)).length;
    await authorize(await query(confidential, (p) => p.set("scope", "openid profile")));
    await authorize(await query(publicClient, (p) => p.delete("code_challenge")));
    expect((await listDurableObjectIds(env.GRANTS)).length).toBe(before);
  });
});
