/**
 * Which `client_id`s name a Client ID Metadata Document: an `https` URL with a path, written
 * exactly as the URL parser would write it back, so that one document has one client_id and
 * the document's own `client_id` can be compared to it as a plain string.
 *
 * @see draft-ietf-oauth-client-id-metadata-document §3 (client identifier URL)
 */

const MAX_LENGTH = 2000;
const NOT_IN_URL = /[\s\p{Cc}\p{Cs}\p{Cf}]/u;

/**
 * Whether `clientId` is a metadata document URL: `https` (or, with `allowLoopback`, `http` on
 * 127.0.0.1, for local tests), a path other than `/`, no fragment, no user name or password,
 * no dot segments, and already in the parser's canonical form (lowercase host, no default
 * port), which the last three rules follow from.
 */
export function isMetadataDocumentUrl(clientId: string, allowLoopback: boolean): boolean {
  if (clientId.length > MAX_LENGTH || NOT_IN_URL.test(clientId) || clientId.includes("#")) return false;
  let url: URL;
  try {
    url = new URL(clientId);
  } catch {
    return false;
  }
  // The parser drops an empty userinfo and resolves `.` and `..`: the canonical form has none.
  if (url.href !== clientId || url.username !== "" || url.password !== "") return false;
  if (url.pathname === "/") return false;
  if (url.protocol === "https:") return true;
  return allowLoopback && url.protocol === "http:" && url.hostname === "127.0.0.1";
}
