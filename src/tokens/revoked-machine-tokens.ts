/**
 * Revoked machine access tokens. A `client_credentials` token belongs to no grant, so there is
 * no family to end when its client revokes it: its `jti` is kept in KV instead, until the token
 * would have expired anyway, and introspection reads it there. Only the token's own client can
 * add an entry (the revocation endpoint authenticates it and checks the token is its), so a
 * request nobody authenticated stores nothing, and no entry outlives `ACCESS_TOKEN_TTL`.
 *
 * KV serves a read from its cache for up to about a minute, a miss included, and carries a write
 * to other locations within about as long: a mark takes effect within a minute, the same bound
 * as a deleted client, whose tokens end through KV as well. Refresh never reads these entries.
 *
 * @see RFC 7009 §2 (access tokens SHOULD be revocable), RFC 7662 §2.2
 */
import { nowSeconds } from "../clock";
import { IsolateMemo } from "../isolate-memo";

const PREFIX = "revoked-token:";
/** KV refuses an expiry less than a minute away. */
const MIN_TTL_SECONDS = 60;

// Marks this isolate has written, so that a client revoking one token again (a retry, a
// duplicate) writes nothing: KV takes one write a second per key and refuses a faster one.
const written = new IsolateMemo(1024);

/** Records that the machine token `jti`, which expires at `exp` (seconds), is revoked. */
export async function revokeMachineToken(kv: KVNamespace, jti: string, exp: number): Promise<void> {
  const left = exp - nowSeconds();
  // An expired token is inactive already: nothing to keep.
  if (left <= 0 || written.has(jti)) return;
  await kv.put(PREFIX + jti, "1", { expirationTtl: Math.max(left, MIN_TTL_SECONDS) });
  written.add(jti);
}

/** Whether the machine token `jti` was revoked (before it expired). */
export async function isMachineTokenRevoked(kv: KVNamespace, jti: string): Promise<boolean> {
  return (await kv.get(PREFIX + jti)) !== null;
}
