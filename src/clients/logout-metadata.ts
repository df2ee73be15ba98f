/**
 * The client metadata of signing out: where RP-initiated logout may send the browser back
 * (`post_logout_redirect_uris`) and where back-channel logout notifies the client
 * (`backchannel_logout_uri`, `backchannel_logout_session_required`).
 *
 * @see OpenID Connect RP-Initiated Logout 1.0 §3.1, Back-Channel Logout 1.0 §2.2, RFC 7591 §2
 */
import { OAuthError } from "../errors";
import { isLoopbackHost } from "../uri/loopback";
import type { ClientMetadata } from "./record";
import { checkRedirectUri } from "./redirect-uri";

/** The members this module reads. */
export type LogoutMetadata = Pick<
  ClientMetadata,
  "post_logout_redirect_uris" | "backchannel_logout_uri" | "backchannel_logout_session_required"
>;

const MAX_URIS = 20;
const MAX_LENGTH = 2000;
// RFC 3986 has no whitespace in a URI, and format characters would make an address look like
// another; the URL parser would trim or encode both, so the stored string would not be the one
// that is fetched.
const NOT_IN_URI = /[\s\p{Cc}\p{Cs}\p{Cf}]/u;
// The authority of a hierarchical URI (RFC 3986 §3.2), to find a userinfo the parser drops.
const AUTHORITY = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i;

function invalid(description: string): never {
  throw new OAuthError("invalid_client_metadata", description);
}

/**
 * Reads the members of signing out; absent (or `null`) members stay absent.
 *
 * @throws OAuthError 400 `invalid_redirect_uri` for a post-logout redirect URI that breaks the
 * rules of redirect URIs, else 400 `invalid_client_metadata` naming the member at fault.
 */
export function readLogoutMetadata(input: Record<string, unknown>): LogoutMetadata {
  const metadata: LogoutMetadata = {};
  const postLogout = readPostLogoutRedirectUris(input.post_logout_redirect_uris);
  if (postLogout !== undefined) metadata.post_logout_redirect_uris = postLogout;
  const backchannel = readBackchannelLogoutUri(input.backchannel_logout_uri);
  if (backchannel !== undefined) metadata.backchannel_logout_uri = backchannel;
  const sessionRequired = input.backchannel_logout_session_required;
  if (sessionRequired !== undefined && sessionRequired !== null) {
    if (typeof sessionRequired !== "boolean") invalid("backchannel_logout_session_required must be true or false.");
    metadata.backchannel_logout_session_required = sessionRequired;
  }
  return metadata;
}

/** The rules of redirect URIs, matched exactly at logout (RP-Initiated Logout §3). */
function readPostLogoutRedirectUris(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length > MAX_URIS) {
    invalid("post_logout_redirect_uris must be an array of at most 20 URIs.");
  }
  return [...new Set(value.map((uri) => checkRedirectUri(uri)))];
}

/**
 * An absolute `https` URI, or `http` on a loopback host (local tests: production fetches reach
 * public addresses only); no fragment (Back-Channel Logout §2.2), user name or password, at most
 * 2000 characters. A query is kept as registered.
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
