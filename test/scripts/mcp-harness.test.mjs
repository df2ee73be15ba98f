// The pieces of the MCP end-to-end checks that need no running Baton: reading the development
// login's form, checking an authorization response, and the MCP server's answers to a client
// that has no token yet.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devLoginForm } from "../../src/pages/dev-login-form.ts";
import { codeFrom, readForm } from "../../scripts/mcp/browser.mjs";
import { MCP_SCOPE, startResourceServer } from "../../scripts/mcp/resource-server.mjs";

const issuer = "http://127.0.0.1:8787";

describe("reading the development login form", () => {
  it("finds the action and the hidden fields of the real page, unescaped", async () => {
    const id = `req<&>"'${"x".repeat(300)}`;
    const token = "tok&en\"'<>";
    const view = {
      client_id: "client_1",
      client_name: "A & B",
      scope: "mcp:tools",
      redirect_uri: "http://127.0.0.1:9/cb",
      expires_at: 0,
    };
    const html = await devLoginForm(id, token, view).text();
    expect(readForm(html)).toEqual({ action: "/dev/login", hidden: { authorization_request: id, form_token: token } });
  });

  it("says what the page shows when there is no form", () => {
    expect(() => readForm("<html><body><h1>This sign-in request is not pending</h1></body></html>")).toThrow(
      /no form: This sign-in request is not pending/,
    );
  });
});

describe("checking an authorization response", () => {
  const response = (query) => new URL(`http://127.0.0.1:9/cb?${new URLSearchParams(query)}`);

  it("returns the code when state and iss are the expected ones", () => {
    expect(codeFrom(response({ code: "ac_1", state: "s", iss: issuer }), { state: "s", issuer })).toBe("ac_1");
  });

  it("refuses an error, another state, another issuer, a missing iss and a repeated code", () => {
    const check = (query) => () => codeFrom(response(query), { state: "s", issuer });
    expect(check({ error: "invalid_scope", error_description: "no", state: "s", iss: issuer })).toThrow(
      "authorization error: invalid_scope (no)",
    );
    expect(check({ code: "c", state: "t", iss: issuer })).toThrow("state differs");
    expect(check({ code: "c", state: "s", iss: "http://evil" })).toThrow("iss http://evil");
    expect(check({ code: "c", state: "s" })).toThrow("0 iss parameters");
    expect(
      check([
        ["code", "a"],
        ["code", "b"],
        ["state", "s"],
        ["iss", issuer],
      ]),
    ).toThrow("2 code parameters");
  });
});

describe("the MCP server, before any token", () => {
  let server;
  beforeAll(async () => {
    // Baton is contacted only to check a token, which none of these requests carries.
    server = await startResourceServer({ issuer, introspectionClient: { client_id: "rs", client_secret: "s" } });
  });
  afterAll(() => server.stop());

  it("publishes its protected resource metadata at both well-known locations", async () => {
    const origin = new URL(server.url).origin;
    for (const path of ["/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"]) {
      const response = await fetch(origin + path);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        resource: server.resource,
        authorization_servers: [issuer],
        scopes_supported: [MCP_SCOPE],
      });
    }
    expect(server.resource).toBe(`${origin}/mcp`);
    expect(server.metadataUrl).toBe(`${origin}/.well-known/oauth-protected-resource/mcp`);
  });

  it("answers 401 with the metadata's address to a request without a token", async () => {
    for (const headers of [{}, { Authorization: "Basic eDp5" }]) {
      const response = await fetch(server.url, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream", ...headers },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
      });
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe(`Bearer resource_metadata="${server.metadataUrl}"`);
    }
  });

  it("knows no other path", async () => {
    expect((await fetch(new URL("/other", server.url))).status).toBe(404);
  });
});
