/**
 * The client metadata of back-channel logout: where Baton notifies the client when one of its
 * grants is ended (`backchannel_logout_uri`), and whether it needs the `sid` in the logout token
 * (`backchannel_logout_session_required`; Baton always sends it).
 *
 * @see OpenID Connect Back-Channel Logout 1.0 §2.2, RFC 7591 §2
 */
import { isLoopbackHost } from "../uri/loopback";
import { invalid } from "./metadata-fields";
import type { ClientMetadata } from "./record";

/** The members this module reads. */
export type BackchannelMetadata = Pick<
  ClientMetadata,
  "backchannel_logout_uri" | "backchannel_logout_session_required"
>;

const MAX_LENGTH = 2000;
// RFC 3986 has no whitespace in a URI, and format characters would make an address look like
// another; the URL parser would trim or encode both, so the stored string would not be the one
// that is fetched.
const NOT_IN_URI = /[\s\p{Cc}\p{Cs}\p{Cf}]/u;
// The authority of a hierarchical URI (RFC 3986 §3.2), to find a userinfo the parser drops.
const AUTHORITY = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i;

/**
 * Reads the members of back-channel logout; absent (or `null`) members stay absent.
 *
 * @throws OAuthError 400 `invalid_client_metadata` naming the member at fault.
 */
export function readBackchannelMetadata(input: Record<string, unknown>): BackchannelMetadata {
  const metadata: BackchannelMetadata = {};
  const uri = readBackchannelLogoutUri(input.backchannel_logout_uri);
  if (uri !== undefined) metadata.backchannel_logout_uri = uri;
  const sessionRequired = input.backchannel_logout_session_required;
  if (sessionRequired !== undefined && sessionRequired !== null) {
    if (typeof sessionRequired !== "boolean") invalid("backchannel_logout_session_required must be true or false.");
    metadata.backchannel_logout_session_required = sessionRequired;
  }
  return metadata;
}

/**
 * An absolute `https` URI, or `http` on a loopback host (local tests: production fetches reach
 * public addresses only); no fragment (§2.2), user name or password, at most 2000 characters. A
 * query is kept as registered.
 */
function readBackchannelLogoutUri(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const description =
    "backchannel_logout_uri must be an absolute https URI (http only on a loopback host), without a fragment or user name.";
  if (typeof value !== "string" || value.length > MAX_LENGTH || NOT_IN_URI.test(value)) invalid(description);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    invalid(description);
  }
  if (value.includes("#")) invalid(description);
  if (url.username !== "" || url.password !== "" || AUTHORITY.exec(value)?.[1]?.includes("@")) invalid(description);
  const secure = url.protocol === "https:" || (url.protocol === "http:" && isLoopbackHost(url.hostname));
  if (!secure) invalid(description);
  return value;
}
