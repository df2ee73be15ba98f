/**
 * Browser clients (single-page apps, public clients with PKCE) may call the token, revocation,
 * userinfo, JWKS and discovery endpoints from any origin; the admin API and introspection, which
 * no browser should call, stay same-origin.
 */
import { describe, expect, it } from "vitest";
import { call, callerWith } from "../support/worker";

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

  it("answers a preflight for /oauth2/register, and lets any origin read its answer, while it is open", async () => {
    const open = callerWith({ DYNAMIC_REGISTRATION: "open" });
    const allowed = await open("/oauth2/register", {
      method: "OPTIONS",
      headers: {
        Origin: ORIGIN,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
      },
    });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(allowed.headers.get("Access-Control-Allow-Methods")).toBe("POST");
    expect(allowed.headers.get("Access-Control-Allow-Headers")).toBe(
      "Authorization, Content-Type, DPoP, MCP-Protocol-Version",
    );

    const refused = await open("/oauth2/register", {
      method: "POST",
      headers: { Origin: ORIGIN, "Content-Type": "application/json" },
      body: JSON.stringify({ redirect_uris: ["javascript:alert(1)"] }),
    });
    expect(refused.status).toBe(400);
    expect(refused.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(refused.headers.get("Access-Control-Expose-Headers")).toBe(
      "WWW-Authenticate, DPoP-Nonce, Retry-After, X-Request-Id",
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
