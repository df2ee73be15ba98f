/** JSON answers outside the token endpoint's own (admin API, JWKS, discovery, 404s). */

/**
 * A JSON response with `Cache-Control: no-store` unless the caller says otherwise, and
 * `X-Content-Type-Options: nosniff`, so that a browser never reads it as another type.
 */
export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      "Content-Type": "application/json",
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
      ...headers,
    },
  });
}
