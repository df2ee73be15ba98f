import { beforeAll, describe, expect, it } from "vitest";
import { registerClient, type TestClient } from "../support/clients";
import { basicAuth } from "../support/token-requests";
import { ADMIN_TOKEN, BASE } from "../support/worker";
import { exports } from "cloudflare:workers";
import { rawBasic } from "./support-token-endpoint";

const FORM = "application/x-www-form-urlencoded";
const HUGE = 60 * 1024;

let client: TestClient;

beforeAll(async () => {
  client = await registerClient();
});

/** A token request with a form body built from `params` and extra headers. */
function tokenForm(params: Record<string, string>, headers: Record<string, string> = {}): Request {
  return new Request(`${BASE}/oauth2/token`, {
    method: "POST",
    headers: { "Content-Type": FORM, ...headers },
    body: new URLSearchParams(params).toString(),
  });
}

function tokenJson(body: string, headers: Record<string, string> = {}): Request {
  return new Request(`${BASE}/oauth2/token`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body,
  });
}

function adminCall(method: string, path: string, body?: string, headers: Record<string, string> = {}): Request {
  return new Request(BASE + path, {
    method,
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json", ...headers },
    ...(body !== undefined && { body }),
  });
}

const refreshGrant = (extra: Record<string, string> = {}) => ({
  grant_type: "refresh_token",
  refresh_token: "rt_x",
  ...extra,
});

const CASES: [string, () => Request][] = [
  ["a 60 KiB Basic header", () => tokenForm(refreshGrant(), { Authorization: `Basic ${"A".repeat(HUGE)}` })],
  [
    "a 60 KiB Basic header that decodes",
    () => tokenForm(refreshGrant(), { Authorization: rawBasic("a".repeat(HUGE)) }),
  ],
  ["a 60 KiB Bearer header", () => tokenForm(refreshGrant(), { Authorization: `Bearer ${"x".repeat(HUGE)}` })],
  ["a 60 KiB unrelated header", () => tokenForm(refreshGrant(), { "X-Padding": "x".repeat(HUGE) })],
  ["a 16 KiB Content-Type", () => tokenForm(refreshGrant(), { "Content-Type": `${FORM}; x=${"y".repeat(16 * 1024)}` })],
  ["a Content-Length that is not a number", () => tokenForm(refreshGrant(), { "Content-Length": "abc" })],
  ["a Content-Length beyond any number", () => tokenForm(refreshGrant(), { "Content-Length": "9".repeat(400) })],
  ["NUL bytes in every parameter", () => tokenForm({ grant_type: "\0", refresh_token: "\0", client_id: "\0" })],
  ["a NUL client_id with Basic", () => tokenForm(refreshGrant(), { Authorization: rawBasic("\0:\0") })],
  ["a NUL client_id in JSON", () => tokenJson('{"grant_type":"refresh_token","client_id":"\\u0000"}')],
  ["a 10,000-character client_id", () => tokenForm(refreshGrant({ client_id: "c".repeat(10_000) }))],
  [
    "a 10,000-character client_id with Basic",
    () => tokenForm(refreshGrant(), { Authorization: basicAuth("c".repeat(10_000), "s") }),
  ],
  ["a 128-character client_id of three-byte characters", () => tokenForm(refreshGrant({ client_id: "€".repeat(128) }))],
  ["a client_id of 64 emoji", () => tokenForm(refreshGrant({ client_id: "💥".repeat(64) }))],
  ["a client_id of 65 emoji", () => tokenForm(refreshGrant({ client_id: "💥".repeat(65) }))],
  [
    "a client_id with bidi overrides and zero-width characters",
    () => tokenForm(refreshGrant({ client_id: "\u202eclient\u200b\ufeff" })),
  ],
  ["a client_id of noncharacters", () => tokenForm(refreshGrant({ client_id: "\uffff\ufffe\u{10ffff}" }))],
  ["a client_id of dots", () => tokenForm(refreshGrant({ client_id: ".." }))],
  ["a client_id that walks paths", () => tokenForm(refreshGrant({ client_id: "../../admin/clients" }))],
  [
    "a client_id with a lone surrogate in JSON",
    () => tokenJson('{"grant_type":"refresh_token","client_id":"\\udfff"}'),
  ],
  [
    "weird Unicode in Basic credentials",
    () => tokenForm(refreshGrant(), { Authorization: basicAuth("💥\u202e\u0000", "\u0000🙂") }),
  ],
  [
    "a percent-encoded surrogate in Basic credentials",
    () => tokenForm(refreshGrant(), { Authorization: rawBasic("%ED%A0%80:x") }),
  ],
  [
    "a 60 KiB refresh token",
    () =>
      tokenForm(refreshGrant({ refresh_token: "r".repeat(HUGE) }), {
        Authorization: basicAuth(client.client_id, client.client_secret!),
      }),
  ],
  [
    "a refresh token of emoji",
    () =>
      tokenForm(refreshGrant({ refresh_token: "🙂".repeat(35) }), {
        Authorization: basicAuth(client.client_id, client.client_secret!),
      }),
  ],
  [
    "a refresh token with NUL bytes",
    () =>
      tokenForm(refreshGrant({ refresh_token: `rt_${"\0".repeat(67)}` }), {
        Authorization: basicAuth(client.client_id, client.client_secret!),
      }),
  ],
  [
    "a 60 KiB grant_type",
    () =>
      tokenForm(
        { grant_type: "g".repeat(HUGE) },
        { Authorization: basicAuth(client.client_id, client.client_secret!) },
      ),
  ],
  [
    "a 60 KiB scope",
    () =>
      tokenForm(refreshGrant({ scope: "s ".repeat(HUGE / 2) }), {
        Authorization: basicAuth(client.client_id, client.client_secret!),
      }),
  ],
  [
    "thousands of parameters",
    () => tokenForm(Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`p${i}`, "v"]))),
  ],
  ["a deeply nested JSON value", () => tokenJson(`{"grant_type":${"[".repeat(30_000)}${"]".repeat(30_000)}}`)],
  ["JSON with a __proto__ member", () => tokenJson('{"__proto__":{"grant_type":"refresh_token"},"client_id":"x"}')],
  [
    "JSON with a __proto__ string",
    () => tokenJson(`{"grant_type":"refresh_token","__proto__":"x","client_id":"${client.client_id}"}`),
  ],
  [
    "a body of NUL bytes",
    () =>
      new Request(`${BASE}/oauth2/token`, {
        method: "POST",
        headers: { "Content-Type": FORM },
        body: new Uint8Array(1000),
      }),
  ],
  ["an unusual method on the token endpoint", () => new Request(`${BASE}/oauth2/token`, { method: "PROPFIND" })],
  [
    "a query string of broken escapes",
    () => new Request(`${BASE}/oauth2/token?%zz=%&%=%E0%A4%A&client_secret`, { method: "POST" }),
  ],
  ["an admin path with a 5,000-character id", () => adminCall("GET", `/admin/clients/${"a".repeat(5000)}`)],
  ["an admin path with a NUL byte", () => adminCall("GET", "/admin/clients/%00")],
  ["an admin path with an encoded surrogate", () => adminCall("DELETE", "/admin/clients/%ED%A0%80")],
  ["an admin path with broken escapes", () => adminCall("GET", "/admin/clients/%E0%A4%A/secrets")],
  [
    "an admin secret path with a huge id",
    () => adminCall("DELETE", `/admin/clients/client_x/secrets/${"s".repeat(5000)}`),
  ],
  [
    "a 60 KiB admin bearer token",
    () => adminCall("GET", "/admin/clients/client_x", undefined, { Authorization: `Bearer ${"t".repeat(HUGE)}` }),
  ],
  [
    "an admin token of Latin-1 bytes",
    () => adminCall("GET", "/admin/clients/client_x", undefined, { Authorization: "Bearer \u00ff\u00fe" }),
  ],
  [
    "a 60 KiB client_name",
    () =>
      adminCall(
        "POST",
        "/admin/clients",
        JSON.stringify({ client_name: "n".repeat(HUGE), redirect_uris: ["https://a.example/cb"] }),
      ),
  ],
  [
    "a client_name of a lone surrogate",
    () => adminCall("POST", "/admin/clients", '{"client_name":"\\ud800","redirect_uris":["https://a.example/cb"]}'),
  ],
  [
    "a redirect URI full of Unicode",
    () => adminCall("POST", "/admin/clients", JSON.stringify({ redirect_uris: ["https://💥.example/\u202e\u0000"] })),
  ],
  [
    "a redirect URI with a broken host",
    () => adminCall("POST", "/admin/clients", JSON.stringify({ redirect_uris: ["https://[::1/cb"] })),
  ],
  [
    "redirect URIs of every type",
    () => adminCall("POST", "/admin/clients", JSON.stringify({ redirect_uris: [null, {}, [], true, 1] })),
  ],
  [
    "grant types of every type",
    () => adminCall("POST", "/admin/clients", JSON.stringify({ grant_types: [null, {}, [], true] })),
  ],
  [
    "a deeply nested admin body",
    () => adminCall("POST", "/admin/clients", `{"redirect_uris":${"[".repeat(30_000)}${"]".repeat(30_000)}}`),
  ],
  [
    "admin JSON that is not UTF-8",
    () =>
      new Request(`${BASE}/admin/clients`, {
        method: "POST",
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
        body: new Uint8Array([0x7b, 0xff, 0x7d]),
      }),
  ],
];

describe("hostile input", () => {
  it.each(CASES)("answers %s with a 4xx JSON error", async (_label, build) => {
    const response = await exports.default.fetch(build());
    const text = await response.text();
    expect(response.status, text).toBeGreaterThanOrEqual(400);
    expect(response.status, text).toBeLessThan(500);
    const body = JSON.parse(text) as { error: string; error_description: string };
    expect(Object.keys(body).sort()).toEqual(["error", "error_description"]);
    // A description is a fixed ASCII string without quotes or backslashes (RFC 6749 §5.2).
    expect(body.error_description).toMatch(/^[\x20\x21\x23-\x5b\x5d-\x7e]+$/);
  });
});
