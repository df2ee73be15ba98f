/**
 * Matching the `redirect_uri` of an authorization request against the client's registered ones:
 * exactly, byte for byte (RFC 9700 §2.1), except that a loopback one matches on any port, since a
 * native app listens on whatever port the system gives it (RFC 8252 §7.3).
 */
import { isLoopbackHost } from "../uri/loopback";

/** Whether `requested` is one of `registered`, the port of a loopback `http` URI aside. */
export function isRegisteredRedirect(registered: readonly string[], requested: string): boolean {
  if (registered.includes(requested)) return true;
  const asked = loopbackWithoutPort(requested);
  return asked !== undefined && registered.some((uri) => loopbackWithoutPort(uri) === asked);
}

/**
 * A loopback `http` URI with its port taken out, the rest kept as written; `undefined` for any
 * other URI. Only the authority's port is cut, so a path or query that merely looks like a port
 * is compared as it is. The scheme and host are compared without case, as RFC 3986 §6.2.2.1 has
 * them and as registration reads them; a port must be one a socket can have (1 to 65535).
 */
function loopbackWithoutPort(uri: string): string | undefined {
  const match = /^(http):\/\/(localhost|127\.0\.0\.1|\[::1\])(?::(\d{1,5}))?([/?].*)?$/i.exec(uri);
  if (match === null) return undefined;
  const host = match[2]!.toLowerCase();
  const port = match[3] === undefined ? undefined : Number(match[3]);
  if (!isLoopbackHost(host) || (port !== undefined && (port < 1 || port > 65535))) return undefined;
  return `http://${host}${match[4] ?? ""}`;
}
