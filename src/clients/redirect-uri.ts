/**
 * Which redirect URIs a client may register: the same rules for the admin API and for dynamic
 * registration. The URI is stored exactly as given and compared exactly at authorization, so
 * every rule must hold for that string, not only for what the URL parser makes of it.
 *
 * RFC 8252 §8.4 says a private-use scheme without a period SHOULD be refused; Baton accepts one
 * anyway, because MCP clients in wide use register such schemes (`cursor://...`), and refuses
 * instead the schemes that belong to a browser or the system rather than to one app.
 *
 * @see RFC 8252 §7.1 (private-use URI schemes), §7.3 (loopback redirection), §8.4 (registering
 * native apps), RFC 7591 §2 (`redirect_uris`), RFC 9700 §2.1 (exact matching)
 */
import { isLoopbackHost } from "../uri/loopback";
import { OAuthError } from "../errors";

const MAX_LENGTH = 2000;
// Schemes that a browser runs or renders itself (javascript, data, blob...), or that the system
// hands to another program (mailto, tel, intent...): a code sent there goes to something other
// than the app that registered the URI, or runs as script in the page that follows the redirect.
const REFUSED_SCHEMES = new Set([
  "javascript",
  "data",
  "vbscript",
  "file",
  "about",
  "blob",
  "filesystem",
  "ws",
  "wss",
  "ftp",
  "mailto",
  "tel",
  "sms",
  "intent",
]);
// RFC 3986 has no whitespace in a URI; the URL parser would quietly trim or encode it, and the
// stored string, compared exactly later, could then never match. Format characters (U+202E,
// U+200B...) are invisible and would make a consent page show another address than the real one.
const NOT_IN_URI = /[\s\p{Cc}\p{Cs}\p{Cf}]/u;
// The authority of a hierarchical URI (RFC 3986 §3.2), to find a userinfo the parser drops.
const AUTHORITY = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i;

function invalid(description: string): never {
  throw new OAuthError("invalid_redirect_uri", description);
}

/**
 * Checks one redirect URI and returns it unchanged. Accepted: `https`; `http` on a loopback host
 * (any port, RFC 8252 §7.3); a native app's private-use scheme, dotted (`com.example.app:/cb`)
 * or not (`cursor://anysphere.cursor-mcp/oauth/callback`), unless the scheme, or its first label
 * (`javascript.x`, `data+foo`), names one a browser or the system handles itself. Never a
 * fragment (RFC 6749 §3.1.2), a userinfo, whitespace or control characters, or more than 2000
 * characters.
 *
 * @throws OAuthError 400 `invalid_redirect_uri` with a fixed description.
 * @see RFC 8252 §7.1, §7.3, §8.4; RFC 7591 §2, §3.2.2; RFC 9700 §2.1
 */
export function checkRedirectUri(uri: unknown): string {
  if (typeof uri !== "string" || uri.length > MAX_LENGTH) {
    invalid("Every redirect URI must be a string of at most 2000 characters.");
  }
  if (NOT_IN_URI.test(uri)) invalid("Every redirect URI must be an absolute URI.");
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    invalid("Every redirect URI must be an absolute URI.");
  }
  if (url.hash !== "" || uri.includes("#")) invalid("A redirect URI must not have a fragment.");
  // The raw authority catches an empty userinfo (`https://@host/`), which the parser drops; the
  // parsed one catches `https:\\user@host`, which only the parser reads as an authority.
  if (url.username !== "" || url.password !== "" || AUTHORITY.exec(uri)?.[1]?.includes("@")) {
    invalid("A redirect URI must not hold a user name or password.");
  }
  // The parser lowercases the scheme: `JAVASCRIPT:` is `javascript:` to a browser too.
  const scheme = url.protocol.slice(0, -1);
  if (scheme === "https") return uri;
  if (scheme === "http") {
    if (!isLoopbackHost(url.hostname)) {
      invalid("An http redirect URI must be on a loopback host (localhost, 127.0.0.1 or [::1]).");
    }
    // No listener has port 0: a code could never reach it (and matching never takes it).
    if (url.port === "0") invalid("Every redirect URI must be an absolute URI.");
    return uri;
  }
  if (REFUSED_SCHEMES.has(scheme) || REFUSED_SCHEMES.has(scheme.split(/[.+-]/, 1)[0]!)) {
    invalid("A redirect URI must not use a scheme that a browser or the system handles itself.");
  }
  return uri;
}
