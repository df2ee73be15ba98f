/**
 * Resisting brute force against client authentication (RFC 6749 §2.3.1). Each failure is
 * counted per client_id by Cloudflare's rate limiting binding; once a client_id is over the
 * limit, this isolate refuses every attempt for it, right or wrong, for one period, without
 * checking the secret. The block always ends: a client with the right secret is never locked
 * out for longer than that.
 *
 * @see https://developers.cloudflare.com/workers/runtime-apis/bindings/rate-limit/
 */
import { OAuthError } from "../errors";

/** How long a client_id stays blocked once over the limit (the binding's period). */
export const BLOCK_SECONDS = 60;

// client_id → blocked until (ms since the epoch). Bounded, so random ids cannot grow it forever.
const blockedUntil = new Map<string, number>();
const MAX_TRACKED = 10_000;

/** Throws 429 when `clientId` is blocked in this isolate. */
export function assertNotThrottled(clientId: string): void {
  const until = blockedUntil.get(clientId);
  if (until === undefined) return;
  const remaining = until - Date.now();
  if (remaining > 0) throw tooManyAttempts(Math.ceil(remaining / 1000));
  blockedUntil.delete(clientId);
}

/**
 * Counts a failed authentication. Throws 429 when this failure put the client_id over the limit;
 * returns normally (the caller answers 401) otherwise.
 */
export async function recordFailure(limiter: RateLimit | undefined, clientId: string): Promise<void> {
  if (limiter === undefined) return;
  const { success } = await limiter.limit({ key: clientId });
  if (success) return;
  if (blockedUntil.size >= MAX_TRACKED) blockedUntil.delete(blockedUntil.keys().next().value!);
  blockedUntil.set(clientId, Date.now() + BLOCK_SECONDS * 1000);
  throw tooManyAttempts(BLOCK_SECONDS);
}

function tooManyAttempts(retryAfter: number): OAuthError {
  // RFC 6749 has no code for this; temporarily_unavailable is its closest (§4.1.2.1).
  return new OAuthError("temporarily_unavailable", "Too many failed client authentications; retry later.", 429, {
    "Retry-After": String(retryAfter),
  });
}
