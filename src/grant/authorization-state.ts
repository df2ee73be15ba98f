/**
 * The first two phases of a grant, before its token family exists: the pending authorization
 * request (waiting for the host application's login) and the issued authorization code.
 * Each lives under its own storage key; moving to the next phase deletes the previous key.
 *
 * @see RFC 6749 §4.1, RFC 7636
 */
import type { UserClaims } from "../tokens/claims";

/** Storage key of a pending authorization request. */
export const AUTHORIZATION_KEY = "authorization";
/** Storage key of an issued, unredeemed authorization code. */
export const CODE_KEY = "code";

/** How long a pending authorization request lives (seconds). */
export const AUTHORIZATION_TTL = 600;
/** How long an authorization code lives (seconds); RFC 6749 §4.1.2 allows at most 10 minutes. */
export const CODE_TTL = 60;

/** What `/oauth2/authorize` validated, kept until the host application answers. */
export interface PendingAuthorization {
  clientId: string;
  clientName?: string;
  redirectUri: string;
  /** The scope requested (already checked against the client's allowed scopes). */
  scope: string[];
  state?: string;
  nonce?: string;
  /** PKCE S256 challenge; absent only for confidential clients that sent none. */
  codeChallenge?: string;
  /** The client's organization, used when the login names none. */
  clientOrganizationId?: string;
  createdAt: number;
  expiresAt: number;
}

/** What the host application decided about the user. */
export interface LoginOutcome {
  subject: string;
  claims: UserClaims;
  organizationId?: string;
  /** The granted scope: a subset of the requested; all of it when absent. */
  scope?: string[];
  authTime?: number;
}

/** An issued code: everything the token endpoint needs to redeem it. The code itself is hashed. */
export interface IssuedCode {
  sid: string;
  clientId: string;
  redirectUri: string;
  scope: string[];
  nonce?: string;
  codeChallenge?: string;
  subject: string;
  claims: UserClaims;
  organizationId?: string;
  authTime: number;
  /** base64url SHA-256 of the code. */
  codeHash: string;
  expiresAt: number;
}
