/**
 * The first two phases of a grant, before its token family exists: the pending authorization
 * request (sealed into its id and held by the browser, not stored, until the host application
 * answers it) and the issued authorization code.
 *
 * @see RFC 6749 §4.1, RFC 7636
 */
import { nowMillis } from "../clock";
import type { ClientKind } from "../clients/record";
import type { UserClaims } from "../tokens/claims";
import type { SealedAnswer } from "./replay";

/** Storage key of an issued, unredeemed authorization code. */
export const CODE_KEY = "code";

/** How long a pending authorization request lives (seconds). */
export const AUTHORIZATION_TTL = 600;
/** How long an authorization code lives (seconds); RFC 6749 §4.1.2 allows at most 10 minutes. */
export const CODE_TTL = 60;
/**
 * How long after its redemption a code presented again counts as stolen and ends its grant
 * (RFC 6749 §4.1.2). Later, its hash is forgotten and a replay is merely unknown: an old callback
 * URL seen in a log or a history must not end a session months later.
 */
export const CODE_REUSE_WINDOW = 600;

/** What `/oauth2/authorize` validated, sealed into the request's id until the login's answer. */
export interface PendingAuthorization {
  /** The grant this request becomes, chosen (and tagged) when it was made. */
  sid: string;
  /**
   * A device authorization's login (RFC 8628 §3.3): its answer goes to the grant's device state,
   * and the browser to Baton's own page at `redirectUri`, telling the person to return to the
   * device.
   */
  device?: true;
  clientId: string;
  clientName?: string;
  redirectUri: string;
  /** The scope requested (already checked against the client's allowed scopes). */
  scope: string[];
  /** The resource servers asked for (RFC 8707), checked; absent when none. */
  resources?: string[];
  /** The `prompt` values asked for (OIDC Core §3.1.2.1), for the host application. */
  prompt?: string[];
  /** The greatest age of the user's authentication the client accepts, in seconds. */
  maxAge?: number;
  /** Hints for the host application's login page, as the client sent them. */
  loginHint?: string;
  acrValues?: string;
  uiLocales?: string;
  state?: string;
  nonce?: string;
  /** PKCE S256 challenge; absent only for confidential clients that sent none. */
  codeChallenge?: string;
  /** `dpop_jkt` (RFC 9449 §10): the key the code's redemption must prove. */
  dpopJkt?: string;
  /** The client's organization, used when the login names none. */
  clientOrganizationId?: string;
  /** Where the client's record came from, for the consent screen; absent means `registered`. */
  clientKind?: ClientKind;
  /** When the client's registration ends unless a login keeps it (seconds); absent for none. */
  clientEnds?: number;
  createdAt: number;
  expiresAt: number;
}

/** What the host application decided about the user. */
export interface LoginOutcome {
  subject: string;
  claims: UserClaims;
  /** Claims for every access token of the grant (a role, permissions), beside Baton's own. */
  accessTokenClaims?: UserClaims;
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
  resources?: string[];
  nonce?: string;
  codeChallenge?: string;
  dpopJkt?: string;
  subject: string;
  claims: UserClaims;
  accessTokenClaims?: UserClaims;
  organizationId?: string;
  authTime: number;
  /** When the login completed (ms), if the host gave no `auth_time`: see `StartFamilyInput`. */
  loggedInAt?: number;
  /** base64url SHA-256 of the code. */
  codeHash: string;
  expiresAt: number;
  /**
   * The redirect with the code, sealed for a repeat of the very same approval (a double-click on
   * the development login), which gets it again instead of a dead end.
   */
  sealedRedirect?: SealedAnswer;
  /** The answered marker (see `GrantStore.answeredUntil`), kept in the code's own write. */
  answeredUntil?: number;
}

/**
 * When a login happened (ms), as "sign out everywhere" compares it: the completion itself, or a
 * stated `auth_time` when that is earlier. A stated time ahead of the clock (the hand-off allows
 * a minute of slack) must not carry a login completed before a sign-out past it.
 */
export function loginMoment(authTime: number | undefined): number {
  const now = nowMillis();
  return authTime === undefined ? now : Math.min(authTime * 1000, now);
}
