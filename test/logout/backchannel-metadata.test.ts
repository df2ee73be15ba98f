/**
 * The client metadata of back-channel logout: `backchannel_logout_uri` (https, or http on a
 * loopback host, never a fragment or user name) and `backchannel_logout_session_required`,
 * through the admin API and dynamic registration alike.
 *
 * @see OpenID Connect Back-Channel Logout 1.0 §2.2, RFC 7591 §2
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { expectError } from "../http/support-token-endpoint";
import { WEB_CLIENT_METADATA, admin, callerWith } from "../support/worker";

const METADATA = { ...WEB_CLIENT_METADATA, token_endpoint_auth_method: "none" };

const MESSAGE = {
  uri: "backchannel_logout_uri must be an absolute https URI (http only on a loopback host), without a fragment or user name.",
  sessionRequired: "backchannel_logout_session_required must be true or false.",
};

function register(change: Record<string, unknown>): Promise<Response> {
  return admin("POST", "/admin/clients", { ...METADATA, ...change });
}

describe("back-channel logout metadata: accepted", () => {
  it("stores both members exactly as given, and reads them back", async () => {
    const members = {
      backchannel_logout_uri: "https://app.example/backchannel?tenant=a",
      backchannel_logout_session_required: true,
    };

    const response = await register(members);
    const created = await response.json<Record<string, unknown>>();

    expect(response.status).toBe(201);
    expect(created).toMatchObject(members);
    expect(await (await admin("GET", `/admin/clients/${created.client_id}`)).json()).toMatchObject(members);
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

  it("accepts them at dynamic registration too, and answers with them", async () => {
    const open = callerWith({ DYNAMIC_REGISTRATION: "open" });
    const members = {
      backchannel_logout_uri: "https://notes.example/logout",
      backchannel_logout_session_required: false,
    };

    const response = await open("/oauth2/register", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ...METADATA, ...members }),
    });
    const text = await response.text();

    expect(response.status, text).toBe(201);
    expect(JSON.parse(text)).toMatchObject(members);
  });
});

describe("back-channel logout metadata: refused", () => {
  it.each<[string, Record<string, unknown>, string]>([
    [
      "a backchannel_logout_uri on plain http elsewhere",
      { backchannel_logout_uri: "http://app.example/logout" },
      MESSAGE.uri,
    ],
    [
      "a backchannel_logout_uri with a fragment",
      { backchannel_logout_uri: "https://app.example/logout#x" },
      MESSAGE.uri,
    ],
    [
      "a backchannel_logout_uri with an empty fragment",
      { backchannel_logout_uri: "https://app.example/logout#" },
      MESSAGE.uri,
    ],
    [
      "a backchannel_logout_uri with a user name",
      { backchannel_logout_uri: "https://app.example@evil.example/logout" },
      MESSAGE.uri,
    ],
    [
      "a backchannel_logout_uri with an empty user name",
      { backchannel_logout_uri: "https://@app.example/logout" },
      MESSAGE.uri,
    ],
    ["a relative backchannel_logout_uri", { backchannel_logout_uri: "/logout" }, MESSAGE.uri],
    ["a private-use scheme backchannel_logout_uri", { backchannel_logout_uri: "com.example.app:/logout" }, MESSAGE.uri],
    ["a backchannel_logout_uri with a space", { backchannel_logout_uri: "https://app.example/log out" }, MESSAGE.uri],
    [
      "a backchannel_logout_uri with a zero-width space",
      { backchannel_logout_uri: "https://app\u200b.example/logout" },
      MESSAGE.uri,
    ],
    [
      "a backchannel_logout_uri over 2000 characters",
      { backchannel_logout_uri: `https://app.example/${"a".repeat(2000)}` },
      MESSAGE.uri,
    ],
    [
      "a backchannel_logout_uri that is not a string",
      { backchannel_logout_uri: ["https://app.example/logout"] },
      MESSAGE.uri,
    ],
    [
      "backchannel_logout_session_required as a string",
      { backchannel_logout_session_required: "true" },
      MESSAGE.sessionRequired,
    ],
    [
      "backchannel_logout_session_required as a number",
      { backchannel_logout_session_required: 1 },
      MESSAGE.sessionRequired,
    ],
  ])("refuses %s, and registers nothing", async (_label, change, description) => {
    const before = (await env.CLIENTS.list()).keys.length;

    await expectError(await register(change), { status: 400, error: "invalid_client_metadata", description });

    expect((await env.CLIENTS.list()).keys.length).toBe(before);
  });
});
