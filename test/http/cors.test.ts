/**
 * Browser clients (single-page apps, public clients with PKCE) may call the token, revocation,
 * userinfo, JWKS and discovery endpoints from any origin; the admin API and introspection, which
 * no browser should call, stay same-origin.
 */
import { describe, expect, it } from "vitest";
import { call } from "../support/worker";

const ORIGIN = "https://spa.example";

function preflight(path: string): Promise<Response> {
  return call(path, {
    method: "OPTIONS",
    headers: {
      Origin: ORIGIN,
      "Access-Control-Request-Method": "POST",
      "Access-Control-Request-Headers": "content-type",
    },
  });
}

describe("cross-origin access for browser clients", () => {
  it.each([
    ["/oauth2/token", "POST"],
    ["/oauth2/revoke", "POST"],
    ["/oauth2/userinfo", "GET, POST"],
    ["/oauth2/jwks", "GET"],
    ["/.well-known/openid-configuration", "GET"],
  ])("answers a preflight for %s with 204 and the methods it allows", async (path, methods) => {
    const response = await preflight(path);

    expect(response.status).toBe(204);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(response.headers.get("Access-Control-Allow-Methods")).toBe(methods);
    expect(response.headers.get("Access-Control-Allow-Headers")).toBe(
      "Authorization, Content-Type, DPoP, MCP-Protocol-Version",
    );
  });

  it("lets any origin read a token endpoint error, its challenge included", async () => {
    const response = await call("/oauth2/token", {
      method: "POST",
      headers: { Origin: ORIGIN, "Content-Type": "application/x-www-form-urlencoded" },
      body: "grant_type=refresh_token&refresh_token=x&client_id=nobody",
    });

    expect(response.status).toBe(401);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(response.headers.get("Access-Control-Expose-Headers")).toBe(
      "WWW-Authenticate, DPoP-Nonce, Retry-After, X-Request-Id",
    );
  });

  it.each(["/admin/clients", "/oauth2/introspection"])("gives %s no cross-origin access", async (path) => {
    const response = await preflight(path);

    expect(response.headers.get("Access-Control-Allow-Origin")).toBeNull();
    expect(response.status).toBe(path.startsWith("/admin") ? 401 : 405);
  });
});
