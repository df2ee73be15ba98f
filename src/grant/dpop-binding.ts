/**
 * DPoP inside a grant's object: which key a family's refresh tokens are bound to, and the
 * proofs already seen. A proof's `jti` is remembered in the family's own state until the proof
 * lapses, written with the rotation that it comes with, so a DPoP refresh stays one round trip
 * and one write. A proof replayed inside its lifetime is refused.
 *
 * @see RFC 9449 §4.3 (point 12, jti), §5 (binding refresh tokens of public clients)
 */
import type { DpopProofRef } from "./rpc";

/** One remembered proof: its `jti`'s hash and when it lapses. */
export interface SeenProof {
  h: string;
  exp: number;
}

// A session sees a proof per refresh or userinfo call: more than this many live at once (one a
// second for the proofs' 5 minutes) is no client's doing.
const MAX_SEEN = 300;

/**
 * Why a proof is refused: it was seen before and has not lapsed, or the memory of live proofs is
 * full, until the first of them lapses in `retryAfter` seconds.
 */
export type ProofRefusal = { reason: "replayed" } | { reason: "proofs_full"; retryAfter: number };

/**
 * Why `proof` must be refused, or `undefined` when it may be taken. Forgetting a live proof to
 * make room would let it be replayed, so a full memory refuses new proofs until old ones lapse
 * instead. A replay is named a replay even when the memory is also full.
 */
export function proofRefusal(
  seen: readonly SeenProof[] | undefined,
  proof: DpopProofRef | undefined,
  now: number,
): ProofRefusal | undefined {
  if (proof === undefined) return undefined;
  const live = (seen ?? []).filter((entry) => entry.exp > now);
  if (live.some((entry) => entry.h === proof.jtiHash)) return { reason: "replayed" };
  if (live.length < MAX_SEEN) return undefined;
  const firstLapse = Math.min(...live.map((entry) => entry.exp));
  return { reason: "proofs_full", retryAfter: Math.max(1, firstLapse - now) };
}

/** The proofs to remember after `proof`: the lapsed ones dropped and `proof` added. */
export function remember(
  seen: readonly SeenProof[] | undefined,
  proof: DpopProofRef | undefined,
  now: number,
): SeenProof[] | undefined {
  if (proof === undefined) return seen === undefined ? undefined : seen.filter((entry) => entry.exp > now);
  const kept = (seen ?? []).filter((entry) => entry.exp > now);
  kept.push({ h: proof.jtiHash, exp: proof.expiresAt });
  return kept;
}

/**
 * Whether a request by the holder of `proof` may use a family bound to `boundJkt` (undefined
 * when the family is not bound): only a proof by the very key.
 */
export function holdsBoundKey(boundJkt: string | undefined, proof: DpopProofRef | undefined): boolean {
  return boundJkt === undefined || proof?.jkt === boundJkt;
}
