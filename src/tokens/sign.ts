/**
 * Signing the access token and the ID token.
 *
 * @see RFC 9068 §2 (JWT access tokens), OIDC Core §2 (ID token), §12.2 (ID token on refresh)
 */
import { SignJWT, type JWTPayload } from "jose";
import { randomBase64url } from "../encoding/base64url";
import type { SigningKey } from "./keys";

/** The claims of an access token. `sub` is the user, or the client id for machine clients. */
export interface AccessTokenClaims {
  iss: string;
  sub: string;
  /** The resource server(s) the token is for (RFC 8707), or the client when none was named. */
  aud: string | string[];
  client_id: string;
  scope: string;
  iat: number;
  exp: number;
  sid?: string;
  org_id?: string;
  /** The login's own access token claims; Baton's claims are set after them and win. */
  extra?: Record<string, unknown>;
  /** RFC 9449 §6.1: the DPoP key the token is bound to. */
  cnf?: { jkt: string };
}

/**
 * Signs an RFC 9068 access token: header `typ: "at+jwt"` and `kid`, `aud` the resource(s) or the
 * client (as WorkOS does when none is named), a fresh `jti`.
 */
export function signAccessToken(key: SigningKey, claims: AccessTokenClaims): Promise<string> {
  const payload: JWTPayload = {
    ...claims.extra,
    iss: claims.iss,
    sub: claims.sub,
    aud: claims.aud,
    client_id: claims.client_id,
    scope: claims.scope,
    jti: randomBase64url(16),
    iat: claims.iat,
    exp: claims.exp,
  };
  if (claims.sid !== undefined) payload.sid = claims.sid;
  if (claims.org_id !== undefined) payload.org_id = claims.org_id;
  if (claims.cnf !== undefined) payload.cnf = claims.cnf;
  return sign(key, "at+jwt", payload);
}

/** Signs an ID token with exactly the claims given (the caller decides `nonce` and the profile). */
export function signIdToken(key: SigningKey, claims: JWTPayload): Promise<string> {
  return sign(key, "JWT", claims);
}

function sign(key: SigningKey, typ: string, payload: JWTPayload): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, typ }).sign(key.privateKey);
}
