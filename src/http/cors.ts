/**
 * Cross-origin access for browser clients (single-page apps are public clients with PKCE): the
 * endpoints such a client calls answer any origin. No cookies are involved anywhere, so `*` is
 * safe: every credential travels in a header or the body, chosen by the page's own code.
 *
 * @see https://fetch.spec.whatwg.org/#http-cors-protocol, RFC 8252 §8.6 (browser-based apps)
 */

// The paths a browser client calls, and the methods each allows.
const BROWSER_PATHS: ReadonlyMap<string, string> = new Map([
  ["/oauth2/token", "POST"],
  ["/oauth2/revoke", "POST"],
  ["/oauth2/device_authorization", "POST"],
  ["/oauth2/userinfo", "GET, POST"],
  ["/oauth2/jwks", "GET"],
  ["/oauth2/register", "POST"],
  ["/.well-known/openid-configuration", "GET"],
  ["/.well-known/oauth-authorization-server", "GET"],
]);

/** The answer to a CORS preflight for a browser path; `undefined` for anything else. */
export function corsPreflight(request: Request, url: URL): Response | undefined {
  const methods = BROWSER_PATHS.get(url.pathname);
  if (request.method !== "OPTIONS" || methods === undefined) return undefined;
  if (request.headers.get("Access-Control-Request-Method") === null) return undefined;
  return new Response(null, {
    status: 204,
    headers: {
      "Access-Control-Allow-Origin": "*",
      "Access-Control-Allow-Methods": methods,
      // DPoP proofs (RFC 9449) and MCP's protocol version header travel with browser requests.
      "Access-Control-Allow-Headers": "Authorization, Content-Type, DPoP, MCP-Protocol-Version",
      "Access-Control-Max-Age": "86400",
    },
  });
}

/** Lets any origin read the answer of a browser path, its challenge and request id included. */
export function allowCrossOrigin(response: Response, url: URL): void {
  if (!BROWSER_PATHS.has(url.pathname)) return;
  response.headers.set("Access-Control-Allow-Origin", "*");
  response.headers.set("Access-Control-Expose-Headers", "WWW-Authenticate, DPoP-Nonce, Retry-After, X-Request-Id");
}
