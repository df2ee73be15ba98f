/**
 * The address a request came from, as Cloudflare's edge reports it. Used only to keep one
 * source's failed attempts from affecting another's.
 *
 * @see https://developers.cloudflare.com/fundamentals/reference/http-headers/#cf-connecting-ip
 */

/** `CF-Connecting-IP`, or `"unknown"` where nothing sets it (a local request built in code). */
export function sourceAddress(request: Request): string {
  return request.headers.get("CF-Connecting-IP") ?? "unknown";
}
