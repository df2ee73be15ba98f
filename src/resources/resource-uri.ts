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

/**
 * The resources a request names, checked: each must be a valid indicator and, with `RESOURCES`
 * configured, one of those (compared normalized; the configured spelling is kept). Repeats of
 * one resource count once. `undefined` when any is refused (`invalid_target`).
 */
export function acceptResources(
  configured: readonly string[] | undefined,
  requested: readonly string[],
): string[] | undefined {
  const accepted = new Map<string, string>();
  for (const uri of requested) {
    const normalized = normalizeResource(uri);
    if (normalized === undefined) return undefined;
    const spelling = configured === undefined ? uri : configured.find((c) => normalizeResource(c) === normalized);
    if (spelling === undefined) return undefined;
    if (!accepted.has(normalized)) accepted.set(normalized, spelling);
  }
  return [...accepted.values()];
}

/**
 * The audience of one access token of a grant holding `granted`: the `requested` ones (each must
 * be among the grant's), or all of the grant's when none is requested. `undefined` when a
 * requested one is not the grant's (`invalid_target`).
 *
 * @see RFC 8707 §2.2
 */
export function narrowResources(granted: readonly string[], requested: readonly string[]): string[] | undefined {
  if (requested.length === 0) return [...granted];
  const byForm = new Map(granted.map((uri) => [normalizeResource(uri), uri]));
  const narrowed: string[] = [];
  for (const uri of requested) {
    const match = byForm.get(normalizeResource(uri));
    if (match === undefined) return undefined;
    if (!narrowed.includes(match)) narrowed.push(match);
  }
  return narrowed;
}

/** The `aud` of an access token: its resources (one as a string), or the client when none. */
export function audienceOf(resources: readonly string[], clientId: string): string | string[] {
  if (resources.length === 0) return clientId;
  return resources.length === 1 ? resources[0]! : [...resources];
}
