/**
 * Resource indicators: the URIs of the resource servers (APIs, MCP servers) an access token is
 * meant for, and the one spelling they are compared in.
 *
 * @see RFC 8707 §2
 */
import { isLoopbackHost } from "../uri/loopback";

/**
 * A resource indicator in the form it is compared in: scheme and host lower-cased, a default
 * port dropped, the rest as written. `undefined` for anything that is not an absolute `https`
 * URI (or `http` on a loopback host) without a fragment.
 *
 * @see RFC 8707 §2, RFC 3986 §6.2.2 and §6.2.3
 */
export function normalizeResource(uri: string): string | undefined {
  if (uri.length > 2000 || /[\s\p{Cc}\p{Cf}\p{Cs}#]/u.test(uri)) return undefined;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  const secure = url.protocol === "https:";
  if (!secure && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) return undefined;
  if (url.username !== "" || url.password !== "") return undefined;
  // The URL parser already lower-cases scheme and host and drops a default port; the path and
  // query keep their spelling (only scheme and host are case-insensitive).
  const afterAuthority = uri.slice(uri.indexOf("//") + 2).replace(/^[^/?]*/, "");
  return `${url.protocol}//${url.host}${afterAuthority}`;
}
