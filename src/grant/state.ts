/**
 * The durable state of one grant's token family, kept under one key of its Durable Object's
 * synchronous storage so that every read-decide-write happens with no `await` in between.
 */
import type { UserClaims } from "../tokens/claims";
import type { SigningAlgorithm } from "../tokens/keys";
import type { SeenProof } from "./dpop-binding";
import type { SealedAnswer } from "./replay";

/** The storage key of the family state. */
export const FAMILY_KEY = "family";

/** The answer kept for the retry window: the last rotation's, for the generation it retired. */
export interface RetainedAnswer {
  /** The retired generation this answer was given to. */
  generation: number;
  /** When it was given (seconds). */
  rotatedAt: number;
  sealed: SealedAnswer;
  /** The DPoP key of the rotation's proof: a retry must prove the same key (RFC 9449 §5). */
  jkt?: string;
}

/** One active token family. All times are seconds since the epoch. */
export interface FamilyState {
  sid: string;
  /** The `iss` of the family's first tokens; every later token keeps it (OIDC Core §12.2). */
  issuer: string;
  clientId: string;
  subject: string;
  /** The scope granted at authorization; every refresh token of the family keeps all of it. */
  scope: string[];
  /** The resource servers granted (RFC 8707), kept by every refresh token; absent when none. */
  resources?: string[];
  claims: UserClaims;
  /** The client's `id_token_signed_response_alg` at the login, kept for every ID token. */
  idTokenAlg?: SigningAlgorithm;
  /** Claims the login put into every access token of the family. */
  accessTokenClaims?: UserClaims;
  organizationId?: string;
  authTime: number;
  /** The original authorization: the absolute lifetime counts from here. */
  createdAt: number;
  /** The last rotation (or the creation): the idle lifetime counts from here. */
  lastUsedAt: number;
  /** The family's HMAC key; absent when no refresh token was granted (no `offline_access`). */
  familyKey?: Uint8Array;
  /** The generation of the one current refresh token. */
  generation: number;
  retained?: RetainedAnswer;
  /** The key the family's refresh tokens are bound to (a public client's DPoP key). */
  dpopJkt?: string;
  /** DPoP proofs seen, until they lapse (grant/dpop-binding.ts). */
  dpopSeen?: SeenProof[];
  /**
   * base64url SHA-256 of the authorization code the family came from, to spot its reuse; dropped
   * at the first rotation after its reuse window (see `CODE_REUSE_WINDOW`).
   */
  codeHash?: string;
  /**
   * Until when the authorization request the family answered could still be answered (seconds):
   * the answered marker, carried here from the code so that neither needs a write of its own.
   */
  answeredUntil?: number;
}

/** Lifetimes that decide when a family ends. */
export interface FamilyLifetimes {
  /** How long access tokens live: all a family without refresh tokens needs to outlive. */
  accessTokenTtl: number;
  idleTtl: number;
  absoluteTtl: number;
  retryWindow: number;
}

/**
 * When the family ends if nothing else happens: idle or absolute lifetime, whichever is first;
 * without refresh tokens, when its access tokens expire.
 */
export function familyEndsAt(state: FamilyState, lifetimes: FamilyLifetimes): number {
  if (state.familyKey === undefined) return state.createdAt + lifetimes.accessTokenTtl;
  return Math.min(state.lastUsedAt + lifetimes.idleTtl, state.createdAt + lifetimes.absoluteTtl);
}
