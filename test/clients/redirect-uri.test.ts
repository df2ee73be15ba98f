/**
 * Which redirect URIs a client may register (RFC 8252 §7, RFC 7591 §2, RFC 9700 §2.1): through
 * the admin API here, under the same rules as dynamic registration.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { issueCode } from "../support/code-flow";
import { admin } from "../support/worker";
import { expectError } from "../http/support-token-endpoint";

const METADATA = {
  client_name: "App",
  grant_types: ["authorization_code", "refresh_token"],
  token_endpoint_auth_method: "none",
  scope: "openid offline_access",
};

const MESSAGE = {
  string: "Every redirect URI must be a string of at most 2000 characters.",
  absolute: "Every redirect URI must be an absolute URI.",
  fragment: "A redirect URI must not have a fragment.",
  userinfo: "A redirect URI must not hold a user name or password.",
  http: "An http redirect URI must be on a loopback host (localhost, 127.0.0.1 or [::1]).",
  scheme: "A redirect URI must not use a scheme that a browser or the system handles itself.",
};

function register(redirectUris: unknown[]): Promise<Response> {
  return admin("POST", "/admin/clients", { ...METADATA, redirect_uris: redirectUris });
}

describe("accepted redirect URIs", () => {
  it.each([
    ["https with a query", "https://app.example/cb?x=1"],
    ["http on localhost with a port", "http://localhost:8787/callback"],
    ["http on 127.0.0.1", "http://127.0.0.1/cb"],
    ["http on [::1] with a port", "http://[::1]:3000/cb"],
    ["a reverse-domain private-use scheme", "com.example.app:/cb"],
    ["an undotted private-use scheme, as Cursor registers", "cursor://anysphere.cursor-mcp/oauth/callback"],
    ["an undotted private-use scheme with one slash", "myapp:/cb"],
    ["a scheme that only begins like a refused one", "database://cb"],
    ["a scheme whose later label is a refused one", "com.example.data:/cb"],
    ["exactly 2000 characters", `https://app.example/${"a".repeat(2000 - 20)}`],
  ])("accepts %s, stored exactly as given", async (_label, uri) => {
    const response = await register([uri]);
    const text = await response.text();
    expect(response.status, text).toBe(201);
    expect((JSON.parse(text) as { redirect_uris: string[] }).redirect_uris).toEqual([uri]);
  });

  it("sends the code to an undotted private-use scheme", async () => {
    const uri = "cursor://anysphere.cursor-mcp/oauth/callback";
    const client = await (await register([uri])).json<{ client_id: string }>();
    const issued = await issueCode(client, { redirectUri: uri, scope: METADATA.scope });
    expect(issued.redirect.href.startsWith(`${uri}?`)).toBe(true);
    expect(issued.code).toEqual(expect.any(String));
  });
});

describe("refused redirect URIs", () => {
  it.each<[string, unknown, string]>([
    ["javascript:", "javascript:alert(1)", MESSAGE.scheme],
    ["a dotted scheme whose first label is javascript", "javascript.x://a", MESSAGE.scheme],
    ["javascript: in capitals", "JAVASCRIPT://a", MESSAGE.scheme],
    ["a scheme whose first label is data, before a +", "data+foo:/cb", MESSAGE.scheme],
    ["a scheme whose first label is intent, before a -", "intent-app://cb", MESSAGE.scheme],
    ["data:", "data:text/html,x", MESSAGE.scheme],
    ["vbscript:", "vbscript:x", MESSAGE.scheme],
    ["file:", "file:///etc/passwd", MESSAGE.scheme],
    ["about:", "about:blank", MESSAGE.scheme],
    ["blob:", "blob:https://a/b", MESSAGE.scheme],
    ["filesystem:", "filesystem:https://a/b", MESSAGE.scheme],
    ["ws:", "ws://localhost/cb", MESSAGE.scheme],
    ["wss:", "wss://a/cb", MESSAGE.scheme],
    ["ftp:", "ftp://a/cb", MESSAGE.scheme],
    ["mailto:", "mailto:a@b", MESSAGE.scheme],
    ["tel:", "tel:1", MESSAGE.scheme],
    ["sms:", "sms:1", MESSAGE.scheme],
    ["intent:", "intent://x", MESSAGE.scheme],
    ["http on a public host", "http://app.example/cb", MESSAGE.http],
    ["a loopback URI on port 0, which no listener has", "http://127.0.0.1:0/cb", MESSAGE.absolute],
    ["http on a host that starts like localhost", "http://localhost.evil.example/cb", MESSAGE.http],
    ["http on a private address", "http://10.0.0.1/cb", MESSAGE.http],
    ["a fragment", "https://a/cb#f", MESSAGE.fragment],
    ["an empty fragment", "https://app.example/cb#", MESSAGE.fragment],
    ["a fragment on a private-use scheme", "com.example.app:/cb#f", MESSAGE.fragment],
    ["a user name and password", "https://u:p@a/cb", MESSAGE.userinfo],
    ["a user name alone", "https://u@a/cb", MESSAGE.userinfo],
    ["an empty userinfo", "https://@a/cb", MESSAGE.userinfo],
    ["a userinfo behind backslashes", "https:\\\\u@a/cb", MESSAGE.userinfo],
    ["a userinfo on a private-use scheme", "cursor://u@anysphere.cursor-mcp/cb", MESSAGE.userinfo],
    ["a value that is not a string", 42, MESSAGE.string],
    ["over 2000 characters", `https://app.example/${"a".repeat(2000)}`, MESSAGE.string],
    ["a relative URI", "/callback", MESSAGE.absolute],
    ["a space", "https://app.example/call back", MESSAGE.absolute],
    ["leading whitespace", " https://app.example/cb", MESSAGE.absolute],
    ["a control character", "https://app.example/cb\u0000", MESSAGE.absolute],
    ["a lone surrogate", "https://app.example/\ud800", MESSAGE.absolute],
    ["a right-to-left override", "https://app.example/\u202Egnp.exe", MESSAGE.absolute],
    ["a zero-width space in the host", "https://app\u200b.example/cb", MESSAGE.absolute],
    ["a soft hyphen in the host", "https://ex\u00adample.com/cb", MESSAGE.absolute],
  ])("refuses %s with invalid_redirect_uri", async (_label, uri, description) => {
    const before = (await env.CLIENTS.list()).keys.length;
    await expectError(await register([uri]), { status: 400, error: "invalid_redirect_uri", description });
    expect((await env.CLIENTS.list()).keys.length).toBe(before);
  });

  it("refuses the client when one URI among good ones is bad", async () => {
    await expectError(await register(["https://app.example/cb", "javascript.x://a"]), {
      status: 400,
      error: "invalid_redirect_uri",
      description: MESSAGE.scheme,
    });
  });
});
