/**
 * The successful token response, as the exact bytes the client receives.
 *
 * @see RFC 6749 §5.1, OIDC Core §3.1.3.3, WorkOS Connect's token response
 */
import type { JWTPayload } from "jose";
import { audienceOf } from "../resources/resource-uri";
import { formatScope } from "../scope";
import { claimsForScope, type UserClaims } from "./claims";
import { idTokenKey, type SigningAlgorithm, type SigningKeySet } from "./keys";
import { signAccessToken, signIdToken } from "./sign";

/** Who and what a response is for. */
export interface TokenSubject {
  clientId: string;
  /** The user, or the client id for a machine client. */
  subject: string;
  /** The grant (`sid`); absent for machine clients. */
  sid?: string;
  organizationId?: string;
  claims: UserClaims;
  /** Extra claims for the access token (never one Baton sets: the login hand-off refuses those). */
  accessTokenClaims?: UserClaims;
  /** When the user authenticated (seconds); required when an ID token is issued. */
  authTime?: number;
}

/** Everything a token response is built from. */
export interface TokenResponseInput {
  issuer: string;
  keys: SigningKeySet;
  subject: TokenSubject;
  /** The effective scope of this response's tokens. */
  scope: readonly string[];
  /** The access token's resource servers (RFC 8707); none means the client is its audience. */
  resources?: readonly string[];
  /** Seconds since the epoch. */
  now: number;
  accessTokenTtl: number;
  idTokenTtl: number;
  /** Whether an ID token may be issued at all (never for client_credentials). */
  allowIdToken: boolean;
  /** Only on the authorization_code grant (OIDC Core §12.2 drops it on refresh). */
  nonce?: string;
  /**
   * The client's `id_token_signed_response_alg`: its ID token is signed by the first key of that
   * algorithm (the signing key when none is asked for, or none of that algorithm is configured).
   */
  idTokenAlg?: SigningAlgorithm;
  /** RFC 8693 §2.2.1: what a token exchange issued. */
  issuedTokenType?: string;
  /** RFC 9449 §6: the key the access token is bound to; its `token_type` is then `DPoP`. */
  dpopJkt?: string;
  refreshToken?: string;
}

/** Signs the tokens and serialises the response body (RFC 6749 §5.1 field names). */
export async function buildTokenResponse(input: TokenResponseInput): Promise<string> {
  const { issuer, keys, subject, scope, now } = input;
  const scopeText = formatScope(scope);
  const accessToken = await signAccessToken(keys.active, {
    iss: issuer,
    sub: subject.subject,
    aud: audienceOf(input.resources ?? [], subject.clientId),
    client_id: subject.clientId,
    scope: scopeText,
    iat: now,
    exp: now + input.accessTokenTtl,
    ...(subject.sid !== undefined && { sid: subject.sid }),
    ...(subject.organizationId !== undefined && { org_id: subject.organizationId }),
    ...(subject.accessTokenClaims !== undefined && { extra: subject.accessTokenClaims }),
    ...(input.dpopJkt !== undefined && { cnf: { jkt: input.dpopJkt } }),
  });
  const body: Record<string, string | number> = {
    access_token: accessToken,
    ...(input.issuedTokenType !== undefined && { issued_token_type: input.issuedTokenType }),
    token_type: input.dpopJkt === undefined ? "bearer" : "DPoP",
    expires_in: input.accessTokenTtl,
    scope: scopeText,
  };
  if (input.allowIdToken && scope.includes("openid")) {
    body.id_token = await signIdToken(idTokenKey(keys, input.idTokenAlg), idTokenClaims(input));
  }
  if (input.refreshToken !== undefined) body.refresh_token = input.refreshToken;
  return JSON.stringify(body);
}

function idTokenClaims(input: TokenResponseInput): JWTPayload {
  const { subject, now } = input;
  return {
    // The user's claims first: Baton's own, after them, always win.
    ...claimsForScope(subject.claims, input.scope),
    iss: input.issuer,
    sub: subject.subject,
    aud: subject.clientId,
    iat: now,
    exp: now + input.idTokenTtl,
    auth_time: subject.authTime ?? now,
    ...(input.nonce !== undefined && { nonce: input.nonce }),
    ...(subject.sid !== undefined && { sid: subject.sid }),
    ...(subject.organizationId !== undefined && { org_id: subject.organizationId }),
  };
}
