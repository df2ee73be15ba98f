/**
 * Verifying an ID token that Baton issued, as RP-initiated logout receives it in
 * `id_token_hint`: signature by a configured key, `typ: "JWT"` (which no access token or logout
 * token has), the issuer, one audience (the client) and the grant's `sid`.
 *
 * @see OIDC Core §2 and §3.1.3.7, OpenID Connect RP-Initiated Logout 1.0 §2, RFC 8725 §3.1
 */
import type { JWTPayload } from "jose";
import type { SigningKeySet } from "./keys";
import { verifyOwnJwt } from "./verification-keys";

/** The claims of a verified ID token that logout relies on. */
export interface VerifiedIdToken extends JWTPayload {
  iss: string;
  sub: string;
  /** The client the token was issued to: Baton's ID tokens have exactly one audience. */
  aud: string;
  /** The grant. */
  sid: string;
  iat: number;
  exp: number;
}

// Every ID token Baton issues carries these (a family always has a sid).
const REQUIRED_CLAIMS = ["iss", "sub", "aud", "iat", "exp", "sid"];

/**
 * Verifies `token` as an ID token that this Baton issued as `issuer` with one of `keys`; returns
 * its claims, or `undefined` for anything else. `acceptExpired` skips the lifetime check only:
 * RP-Initiated Logout §2 asks the OP to accept a hint whose `exp` has passed, and the signature
 * and issuer still prove it is Baton's.
 */
export async function verifyIdToken(
  token: string,
  keys: SigningKeySet,
  issuer: string,
  { acceptExpired = false }: { acceptExpired?: boolean } = {},
): Promise<VerifiedIdToken | undefined> {
  const payload = await verifyOwnJwt(token, keys, {
    typ: "JWT",
    issuer,
    requiredClaims: REQUIRED_CLAIMS,
    acceptExpired,
  });
  if (payload === undefined) return undefined;
  return hasIdTokenShape(payload) ? payload : undefined;
}

function hasIdTokenShape(payload: JWTPayload): payload is VerifiedIdToken {
  return (
    typeof payload.sub === "string" &&
    typeof payload.aud === "string" &&
    typeof payload.sid === "string" &&
    // OIDC Core §2: an `azp`, where there is one, is the party the token was issued to.
    (payload.azp === undefined || payload.azp === payload.aud)
  );
}
