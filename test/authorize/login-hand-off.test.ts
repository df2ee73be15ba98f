/**
 * GET /oauth2/authorize, accepted requests: the user goes to the host application's login page
 * with the id of the pending request, which the admin API then describes.
 *
 * @see RFC 6749 §4.1.1, RFC 7636 §4.3
 */
import { env } from "cloudflare:workers";
import { listDurableObjectIds } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { registerClient, type TestClient } from "../support/clients";
import {
  LOGIN_URL,
  REDIRECT_URI,
  authorizationQuery,
  authorize,
  expectErrorRedirect,
  expectLoginHandOff,
  completeLogin,
} from "../support/code-flow";
import { BASE, admin } from "../support/worker";

let confidential: TestClient;
let publicClient: TestClient;

beforeAll(async () => {
  confidential = await registerClient({ client_name: "Looking Glass" });
  publicClient = await registerClient({ client_name: "Pocket Watch", token_endpoint_auth_method: "none" });
});

async function describeRequest(id: string): Promise<Record<string, unknown>> {
  const response = await admin("GET", `/admin/authorizations/${id}`);
  expect(response.status).toBe(200);
  return response.json();
}

describe("GET /oauth2/authorize: the hand-off to the login page", () => {
  it("sends the user to LOGIN_URL with the id of the pending request, and nothing else", async () => {
    const { query } = await authorizationQuery(confidential);
    const response = await authorize(query);
    expect(response.status).toBe(302);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const location = new URL(response.headers.get("Location")!);
    expect(location.origin + location.pathname).toBe(LOGIN_URL);
    const id = location.searchParams.get("authorization_request")!;
    // Nothing the client sent reaches the login page: it reads the request through the admin API.
    expect(location.search).toBe(`?authorization_request=${id}`);
    // The request itself, sealed: base64url, and small enough for any browser's address bar.
    expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(id.length).toBeLessThan(2048);
  });

  it("keeps the request as the client asked it, for the consent screen", async () => {
    const before = Math.floor(Date.now() / 1000);
    const { query } = await authorizationQuery(confidential, { scope: "email  openid email" });
    const id = expectLoginHandOff(await authorize(query));
    const view = await describeRequest(id);
    expect(view).toEqual({
      client_id: confidential.client_id,
      client_name: "Looking Glass",
      scope: "email openid",
      redirect_uri: REDIRECT_URI,
      expires_at: expect.any(Number),
      resource: [],
      prompt: [],
      client_kind: "registered",
    });
    // A pending request lives 10 minutes.
    expect(view.expires_at).toBeGreaterThanOrEqual(before + 600);
    expect(view.expires_at).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 600);
  });

  it("gives every request its own id", async () => {
    const { query } = await authorizationQuery(confidential);
    const first = expectLoginHandOff(await authorize(query));
    const second = expectLoginHandOff(await authorize(query));
    expect(first).not.toBe(second);
  });

  it("accepts a public client that uses PKCE", async () => {
    const { query } = await authorizationQuery(publicClient);
    const id = expectLoginHandOff(await authorize(query));
    expect(await describeRequest(id)).toMatchObject({ client_id: publicClient.client_id, client_name: "Pocket Watch" });
  });

  it("accepts a confidential client without PKCE (optional for it)", async () => {
    const { query } = await authorizationQuery(confidential, { pkce: false });
    expectLoginHandOff(await authorize(query));
  });

  it("accepts a request without state or nonce", async () => {
    const { query } = await authorizationQuery(confidential, { scope: "openid" });
    delete query.state;
    delete query.nonce;
    expectLoginHandOff(await authorize(query));
  });

  it("ignores parameters it does not know", async () => {
    const { query } = await authorizationQuery(confidential, { extra: { ui_locales: "fr", foo: "bar" } });
    expectLoginHandOff(await authorize(query));
  });

  it("accepts a prompt other than none", async () => {
    const { query } = await authorizationQuery(confidential, { extra: { prompt: "login consent" } });
    expectLoginHandOff(await authorize(query));
  });

  it("stores nothing for a pending request: the grant's object comes with the login's answer", async () => {
    const before = (await listDurableObjectIds(env.GRANTS)).length;
    const { query } = await authorizationQuery(confidential);
    const id = expectLoginHandOff(await authorize(query));
    expect((await listDurableObjectIds(env.GRANTS)).length).toBe(before);

    await completeLogin(id);
    expect((await listDurableObjectIds(env.GRANTS)).length).toBe(before + 1);
  });

  it("sends the user to the built-in login page when only DEV_LOGIN is on", async () => {
    const { query } = await authorizationQuery(confidential);
    const response = await authorize(query, { LOGIN_URL: undefined, DEV_LOGIN: "true" });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get("Location")!);
    expect(location.origin + location.pathname).toBe(`${BASE}/dev/login`);
    expect([...location.searchParams.keys()]).toEqual(["authorization_request"]);
  });

  it("prefers LOGIN_URL to the built-in page when both are set", async () => {
    const { query } = await authorizationQuery(confidential);
    expectLoginHandOff(await authorize(query, { LOGIN_URL, DEV_LOGIN: "true" }));
  });

  it("redirects server_error to the client, keeping nothing, when neither LOGIN_URL nor DEV_LOGIN is set", async () => {
    const before = (await listDurableObjectIds(env.GRANTS)).length;
    const { query, state } = await authorizationQuery(confidential);
    const response = await authorize(query, { LOGIN_URL: undefined, DEV_LOGIN: undefined });
    expectErrorRedirect(response, {
      error: "server_error",
      description: "The authorization server is not configured for logins.",
      state,
    });
    expect((await listDurableObjectIds(env.GRANTS)).length).toBe(before);
  });
});
