/**
 * The client metadata of signing out, through the admin API: `post_logout_redirect_uris` under
 * the rules of redirect URIs, `backchannel_logout_uri` (https, or http on a loopback host) and
 * `backchannel_logout_session_required`.
 *
 * @see OpenID Connect RP-Initiated Logout 1.0 §3.1, Back-Channel Logout 1.0 §2.2
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { expectError } from "../http/support-token-endpoint";
import { admin } from "../support/worker";

const METADATA = {
  client_name: "App",
  redirect_uris: ["https://app.example/cb"],
  grant_types: ["authorization_code", "refresh_token"],
  token_endpoint_auth_method: "none",
  scope: "openid offline_access",
};

const MESSAGE = {
  postLogoutArray: "post_logout_redirect_uris must be an array of at most 20 URIs.",
  backchannel:
    "backchannel_logout_uri must be an absolute https URI (http only on a loopback host), without a fragment or user name.",
  sessionRequired: "backchannel_logout_session_required must be true or false.",
};

function register(change: Record<string, unknown>): Promise<Response> {
  return admin("POST", "/admin/clients", { ...METADATA, ...change });
}

describe("logout metadata: accepted", () => {
  it("stores every member exactly as given, and reads it back", async () => {
    const members = {
      post_logout_redirect_uris: [
        "https://app.example/signed-out?from=baton",
        "http://127.0.0.1:4000/bye",
        "com.example.app:/signed-out",
      ],
      backchannel_logout_uri: "https://app.example/backchannel?tenant=a",
      backchannel_logout_session_required: true,
    };

    const response = await register(members);
    const created = await response.json<Record<string, unknown>>();

    expect(response.status).toBe(201);
    expect(created).toMatchObject(members);
    const read = await (await admin("GET", `/admin/clients/${created.client_id}`)).json();
    expect(read).toMatchObject(members);
  });

  it.each([
    ["http on 127.0.0.1 with a port", "http://127.0.0.1:8900/logout"],
    ["http on localhost", "http://localhost/logout"],
    ["http on [::1]", "http://[::1]:9000/logout"],
    ["https on a port", "https://app.example:8443/logout"],
  ])("accepts a backchannel_logout_uri with %s", async (_label, uri) => {
    const response = await register({ backchannel_logout_uri: uri });
    const text = await response.text();

    expect(response.status, text).toBe(201);
    expect(JSON.parse(text)).toMatchObject({ backchannel_logout_uri: uri });
  });

  it("stores repeated post-logout redirect URIs once", async () => {
    const uri = "https://app.example/signed-out";
    const created = await (await register({ post_logout_redirect_uris: [uri, uri] })).json();

    expect(created).toMatchObject({ post_logout_redirect_uris: [uri] });
  });
});

describe("logout metadata: refused", () => {
  it.each<[string, Record<string, unknown>, string, string]>([
    [
      "post_logout_redirect_uris as a string",
      { post_logout_redirect_uris: "https://app.example/bye" },
      "invalid_client_metadata",
      MESSAGE.postLogoutArray,
    ],
    [
      "more than 20 post-logout redirect URIs",
      { post_logout_redirect_uris: Array.from({ length: 21 }, (_, i) => `https://app.example/bye${i}`) },
      "invalid_client_metadata",
      MESSAGE.postLogoutArray,
    ],
    [
      "a post-logout redirect URI with a fragment",
      { post_logout_redirect_uris: ["https://app.example/bye#x"] },
      "invalid_redirect_uri",
      "A redirect URI must not have a fragment.",
    ],
    [
      "a post-logout redirect URI on plain http elsewhere than loopback",
      { post_logout_redirect_uris: ["http://app.example/bye"] },
      "invalid_redirect_uri",
      "An http redirect URI must be on a loopback host (localhost, 127.0.0.1 or [::1]).",
    ],
    [
      "a javascript: post-logout redirect URI",
      { post_logout_redirect_uris: ["javascript:alert(1)"] },
      "invalid_redirect_uri",
      "A redirect URI must not use a scheme that a browser or the system handles itself.",
    ],
    [
      "a backchannel_logout_uri on plain http elsewhere",
      { backchannel_logout_uri: "http://app.example/logout" },
      "invalid_client_metadata",
      MESSAGE.backchannel,
    ],
    [
      "a backchannel_logout_uri with a fragment",
      { backchannel_logout_uri: "https://app.example/logout#x" },
      "invalid_client_metadata",
      MESSAGE.backchannel,
    ],
    [
      "a backchannel_logout_uri with an empty fragment",
      { backchannel_logout_uri: "https://app.example/logout#" },
      "invalid_client_metadata",
      MESSAGE.backchannel,
    ],
    [
      "a backchannel_logout_uri with a user name",
      { backchannel_logout_uri: "https://app.example@evil.example/logout" },
      "invalid_client_metadata",
      MESSAGE.backchannel,
    ],
    [
      "a backchannel_logout_uri with an empty user name",
      { backchannel_logout_uri: "https://@app.example/logout" },
      "invalid_client_metadata",
      MESSAGE.backchannel,
    ],
    [
      "a relative backchannel_logout_uri",
      { backchannel_logout_uri: "/logout" },
      "invalid_client_metadata",
      MESSAGE.backchannel,
    ],
    [
      "a private-use scheme backchannel_logout_uri",
      { backchannel_logout_uri: "com.example.app:/logout" },
      "invalid_client_metadata",
      MESSAGE.backchannel,
    ],
    [
      "a backchannel_logout_uri with a space",
      { backchannel_logout_uri: "https://app.example/log out" },
      "invalid_client_metadata",
      MESSAGE.backchannel,
    ],
    [
      "a backchannel_logout_uri with a zero-width space",
      { backchannel_logout_uri: "https://app\u200b.example/logout" },
      "invalid_client_metadata",
      MESSAGE.backchannel,
    ],
    [
      "a backchannel_logout_uri over 2000 characters",
      { backchannel_logout_uri: `https://app.example/${"a".repeat(2000)}` },
      "invalid_client_metadata",
      MESSAGE.backchannel,
    ],
    [
      "a backchannel_logout_uri that is not a string",
      { backchannel_logout_uri: ["https://app.example/logout"] },
      "invalid_client_metadata",
      MESSAGE.backchannel,
    ],
    [
      "backchannel_logout_session_required as a string",
      { backchannel_logout_session_required: "true" },
      "invalid_client_metadata",
      MESSAGE.sessionRequired,
    ],
    [
      "backchannel_logout_session_required as a number",
      { backchannel_logout_session_required: 1 },
      "invalid_client_metadata",
      MESSAGE.sessionRequired,
    ],
  ])("refuses %s, and registers nothing", async (_label, change, error, description) => {
    const before = (await env.CLIENTS.list()).keys.length;

    await expectError(await register(change), { status: 400, error, description });

    expect((await env.CLIENTS.list()).keys.length).toBe(before);
  });
});
