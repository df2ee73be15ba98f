/**
 * Verifying a Baton access token: signature by a configured key, `typ: "at+jwt"`, the issuer,
 * and the lifetime. Whether the grant behind it is still live is the caller's question.
 *
 * @see RFC 9068 §4 (validating JWT access tokens), RFC 8725 §3.1 (algorithm verification)
 */
import type { JWTPayload } from "jose";
import type { SigningKeySet } from "./keys";
import { verifyOwnJwt } from "./verification-keys";

/** The claims of a verified access token (RFC 9068 §2.2; `sid` and `org_id` where they exist). */
export interface VerifiedAccessToken extends JWTPayload {
  iss: string;
  sub: string;
  aud: string | string[];
  client_id: string;
  /** Space-separated; absent when nothing was granted. */
  scope?: string;
  jti: string;
  iat: number;
  exp: number;
  sid?: string;
  org_id?: string;
  /** The actor of an exchanged token (RFC 8693 §4.1): the client that exchanged it. */
  act?: Record<string, unknown>;
  /** The DPoP key the token is bound to (RFC 9449 §6.1). */
  cnf?: { jkt: string };
}

// RFC 9068 §2.2: every access token carries these.
const REQUIRED_CLAIMS = ["iss", "sub", "aud", "client_id", "iat", "exp", "jti"];

/**
 * Verifies `token` as an access token that this Baton issued as `issuer` with one of `keys`.
 * Returns its claims, or `undefined` for anything that is not such a token or has expired.
 * `acceptExpired` skips the lifetime check only: revoking with an expired token still ends its
 * grant (a client signing out may hold nothing fresher), while signature and issuer still prove
 * the token is Baton's.
 */
export async function verifyAccessToken(
  token: string,
  keys: SigningKeySet,
  issuer: string,
  { acceptExpired = false }: { acceptExpired?: boolean } = {},
): Promise<VerifiedAccessToken | undefined> {
  const payload = await verifyOwnJwt(token, keys, {
    typ: "at+jwt",
    issuer,
    requiredClaims: REQUIRED_CLAIMS,
    acceptExpired,
  });
  if (payload === undefined) return undefined;
  return hasAccessTokenShape(payload) ? payload : undefined;
}

/**
 * Whether a verified access token stands for `session`: the same user, and the session's client,
 * unless the token was exchanged (`act`), when it belongs to the client that exchanged it.
 */
export function ownsSession(claims: VerifiedAccessToken, session: { clientId: string; subject: string }): boolean {
  return session.subject === claims.sub && (claims.act !== undefined || session.clientId === claims.client_id);
}

function hasAccessTokenShape(payload: JWTPayload): payload is VerifiedAccessToken {
  const { aud } = payload;
  return (
    typeof payload.sub === "string" &&
    typeof payload.client_id === "string" &&
    typeof payload.jti === "string" &&
    (typeof aud === "string" || Array.isArray(aud)) &&
    optionalString(payload.scope) &&
    optionalString(payload.sid) &&
    optionalString(payload.org_id) &&
    (payload.act === undefined ||
      (typeof payload.act === "object" && payload.act !== null && !Array.isArray(payload.act))) &&
    (payload.cnf === undefined || typeof (payload.cnf as { jkt?: unknown } | null)?.jkt === "string")
  );
}

function optionalString(value: unknown): boolean {
  return value === undefined || typeof value === "string";
}
