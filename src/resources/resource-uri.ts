/**
 * Resource indicators: the URIs of the resource servers (APIs, MCP servers) an access token is
 * meant for, and the one spelling they are compared in.
 *
 * @see RFC 8707 §2
 */
import { isLoopbackHost } from "../uri/loopback";

// RFC 3986 Appendix A, for the one shape a resource takes here: scheme "://" authority
// path-abempty [ "?" query ], with no userinfo and no fragment. Only RFC 3986 characters get
// through, so no backslash, space, control, non-ASCII or bad escape is left for parsers to
// disagree on. The host is an IP-literal or a reg-name (an IPv4 address is one lexically); the URL
// parser is the judge of whether it is a host at all.
const PCT = "%[0-9A-Fa-f]{2}";
const PCHAR = `(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|${PCT})`;
const RESOURCE_SHAPE = new RegExp(
  "^([A-Za-z][A-Za-z0-9+.-]*)://" +
    `(\\[[0-9A-Fa-f:.]+\\]|(?:[A-Za-z0-9._~!$&'()*+,;=-]|${PCT})*)` +
    "(?::([0-9]*))?" +
    `((?:/${PCHAR}*)*)` +
    `(?:\\?((?:${PCHAR}|[/?])*))?$`,
);

const DEFAULT_PORT: Readonly<Record<string, string>> = { http: "80", https: "443" };

/**
 * A resource indicator in the form it is compared in: scheme and host lower-cased, a default
 * port dropped, an empty path as `/`, the rest as written. `undefined` for anything that is not
 * an absolute `https` URI (or `http` on a loopback host) with an authority, without userinfo or
 * fragment, made of RFC 3986 characters only, and spelled exactly as the WHATWG URL parser reads
 * it, so that every resource server's parser sees the same scheme, host, port, path and query
 * (a dot segment, a non-canonical port or IP address, a `%`-escaped host is refused, never
 * rewritten into a match).
 *
 * @see RFC 8707 §2, RFC 3986 §3 and §6.2.2–§6.2.3
 */
export function normalizeResource(uri: string): string | undefined {
  const match = uri.length <= 2000 ? RESOURCE_SHAPE.exec(uri) : null;
  if (match === null) return undefined;
  const [, scheme, host, port, path, query] = match as unknown as [string, string, string, string?, string?, string?];
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  const lowerScheme = scheme.toLowerCase();
  const secure = lowerScheme === "https";
  if (!secure && !(lowerScheme === "http" && isLoopbackHost(url.hostname))) return undefined;
  // Port 0 parses but names no server anyone could run a resource on.
  if (url.port === "0") return undefined;
  const shownPort = port === undefined || port === "" || port === DEFAULT_PORT[lowerScheme] ? "" : `:${port}`;
  const spelled = `${lowerScheme}://${host.toLowerCase()}${shownPort}${path || "/"}${query === undefined ? "" : `?${query}`}`;
  const parsed = `${url.protocol}//${url.host}${url.pathname}${url.search}`;
  return spelled === parsed ? parsed : undefined;
}

/** The most distinct resources (or token exchange targets) one request may name. */
export const MAX_RESOURCES = 20;

/**
 * The resources a request names, checked: each must be a valid indicator and, with `RESOURCES`
 * configured, one of those (compared normalized; the configured spelling is kept). Repeats of
 * one resource count once. `undefined` when any is refused, or more than {@link MAX_RESOURCES}
 * are named (`invalid_target`).
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
  // Each one goes into every access token's `aud`: a request naming dozens of APIs is not one
  // any client needs, and would make tokens kilobytes long for every refresh after it.
  return accepted.size <= MAX_RESOURCES ? [...accepted.values()] : undefined;
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
    const form = normalizeResource(uri);
    // A grant's resource stored before a stricter rule may no longer have a form: it matches
    // nothing, rather than every request that has none either.
    const match = form === undefined ? undefined : byForm.get(form);
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
