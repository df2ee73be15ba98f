/**
 * The shapes that cross the Worker ↔ grant object boundary. Workers RPC carries no custom error
 * properties, so every refusal is a discriminated result that the caller maps to an error.
 */
import type { UserClaims } from "../tokens/claims";
import type { SigningAlgorithm } from "../tokens/keys";
import type { ProofRefusal } from "./dpop-binding";

/**
 * A request's checked DPoP proof, as the grant's object needs it: the key's thumbprint (RFC
 * 7638), the hash of the proof's `jti` (to refuse a replay) and when the proof lapses.
 */
export interface DpopProofRef {
  jkt: string;
  jtiHash: string;
  expiresAt: number;
}

/** What creates a family: the user, the client and the granted scope. */
export interface StartFamilyInput {
  sid: string;
  clientId: string;
  subject: string;
  scope: string[];
  claims: UserClaims;
  accessTokenClaims?: UserClaims;
  organizationId?: string;
  authTime: number;
  /**
   * When the login completed (ms since the epoch), when Baton saw it happen: the host gave no
   * `auth_time`, so the completion itself was the login. "Sign out everywhere" is then compared
   * to the millisecond; a stated `auth_time` is compared by its whole second.
   */
  loggedInAt?: number;
  nonce?: string;
  issuer: string;
  /** The hash of the code the family comes from, so that a second redemption is recognised. */
  codeHash?: string;
  /** The code's answered marker, which the family keeps (see `GrantStore.answeredUntil`). */
  answeredUntil?: number;
  /** The resource servers of the grant (RFC 8707); none means the client is the audience. */
  resources?: string[];
  /** The first access token's audience, when the redemption named some of them. */
  audience?: string[];
  /**
   * Whether the client may use the refresh_token grant; absent means it may. A refresh token is
   * issued when it may and the grant holds `offline_access` or is not an OpenID Connect one.
   */
  refreshAllowed?: boolean;
  /** The client's `id_token_signed_response_alg`, if it registered one. */
  idTokenAlg?: SigningAlgorithm;
  /** The first token request's DPoP proof: it binds the first access token. */
  dpop?: DpopProofRef;
  /** Whether the family's refresh tokens are bound to that key (a public client's, RFC 9449 §5). */
  bindRefreshToKey?: boolean;
}

/** A refresh request that has passed client authentication. */
export interface RefreshInput {
  refreshToken: string;
  clientId: string;
  /** The narrower scope asked for, already parsed; `undefined` means the grant's full scope. */
  scope?: string[];
  /** The resources asked for (already checked to be valid indicators); none means all. */
  resources?: string[];
  dpop?: DpopProofRef;
}

/** A code redemption that has passed client authentication. */
export interface RedeemCodeInput {
  code: string;
  clientId: string;
  redirectUri: string;
  codeVerifier?: string;
  issuer: string;
  /** The resources asked for (already checked to be valid indicators); none means all. */
  resources?: string[];
  /** Whether the client may use the refresh_token grant. */
  refreshAllowed: boolean;
  /** The client's `id_token_signed_response_alg`, if it registered one. */
  idTokenAlg?: SigningAlgorithm;
  dpop?: DpopProofRef;
  /** Whether the client is public, whose refresh tokens a DPoP proof binds. */
  publicClient: boolean;
  /**
   * The scope the client may have now: a code issued before its registration was narrowed
   * starts no family with more.
   */
  allowedScope: string[];
  /**
   * Whether `redirectUri` is still among the client's redirect URIs: one taken off while the
   * login or the code waited receives nothing more. Decided here, after a reused code is seen.
   */
  redirectRegistered: boolean;
}

/** Why a grant operation was refused; mapped to an RFC 6749 §5.2 error by the caller. */
export type GrantFailure =
  | {
      ok: false;
      error: "invalid_grant";
      reason: "unknown" | "wrong_client" | "expired" | "reused" | "mismatch" | "signed_out" | "dpop_key";
    }
  | { ok: false; error: "invalid_scope"; reason: "scope_exceeds_grant" }
  | { ok: false; error: "invalid_target"; reason: "resource_not_granted" }
  | ({ ok: false; error: "invalid_dpop_proof" } & ProofRefusal)
  /** A device code poll that gets no tokens (yet). @see RFC 8628 §3.5 */
  | { ok: false; error: "authorization_pending" | "slow_down" | "access_denied" | "expired_token"; reason: "device" }
  | { ok: false; error: "server_error"; reason: "configuration" | "internal" };

/** A token response body, exactly as the client is to receive it, or a refusal. */
export type TokenResult = { ok: true; body: string } | GrantFailure;

/** The outcome of the host application's answer to an authorization request. */
export type LoginResult =
  | { ok: true; redirectTo: string }
  | { ok: false; reason: "not_found" | "completed" | "invalid_scope" | "login_required" };

/** A live grant as userinfo and introspection see it. */
export interface SessionView {
  clientId: string;
  subject: string;
  scope: string[];
  claims: UserClaims;
  /** The host application's `access_token_claims`, which every access token of the grant carries. */
  accessTokenClaims?: UserClaims;
  organizationId?: string;
  /** When the family started and was last refreshed (seconds). */
  createdAt: number;
  lastUsedAt: number;
  /** When the family ends if nothing else happens (seconds). */
  endsAt: number;
  /** The current refresh token generation; absent without refresh tokens. */
  generation?: number;
}

/** A live refresh token as introspection reports it (RFC 7662 §2.2 member names). */
export interface RefreshTokenView {
  active: true;
  scope: string;
  client_id: string;
  sub: string;
  exp: number;
  token_type: "refresh_token";
  sid: string;
}
