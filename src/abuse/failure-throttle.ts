/**
 * Resisting brute force against credentials (RFC 6749 §2.3.1) without letting anyone lock the
 * rightful holder out. Failures are counted per credential and source address by Cloudflare's
 * rate limiting binding; once a source is over the limit for a credential, this isolate refuses
 * that source's further failures with 429 for one period. Credentials are checked before the
 * block: a right secret always authenticates, so someone else's failures with a client_id can
 * never keep its owner out, and a throttled source is only told to slow down.
 *
 * @see https://developers.cloudflare.com/workers/runtime-apis/bindings/rate-limit/
 */
import type { TooManyRequests } from "./source-limit";

/** How long a source stays throttled once over the limit (the binding's period). */
export const BLOCK_SECONDS = 60;

// key → blocked until (ms since the epoch). Bounded, so random keys cannot grow it forever.
const blockedUntil = new Map<string, number>();
const MAX_TRACKED = 10_000;

/**
 * Seconds until `key`'s block ends, or `undefined` when it is not blocked.
 */
export function blockedFor(key: string): number | undefined {
  const until = blockedUntil.get(key);
  if (until === undefined) return undefined;
  const remaining = until - Date.now();
  if (remaining > 0) return Math.ceil(remaining / 1000);
  blockedUntil.delete(key);
  return undefined;
}

/**
 * Counts one failed attempt for `key` (credential and source address) and throws the 429 of
 * `tooMany` when the source is, or has just gone, over the limit; returns normally otherwise (the
 * caller answers its usual 401). For what is guessed rather than proved (a device user code), the
 * caller counts every attempt, before looking at it: a throttled source then learns nothing.
 */
export async function recordFailure(
  limiter: RateLimit | undefined,
  key: string,
  tooMany: TooManyRequests,
): Promise<void> {
  // Still blocked: the binding need not be asked again until the period is over.
  const remaining = blockedFor(key);
  if (remaining !== undefined) throw tooMany(remaining);
  if (limiter === undefined) return;
  const { success } = await limiter.limit({ key });
  if (success) return;
  if (blockedUntil.size >= MAX_TRACKED) blockedUntil.delete(blockedUntil.keys().next().value!);
  blockedUntil.set(key, Date.now() + BLOCK_SECONDS * 1000);
  throw tooMany(BLOCK_SECONDS);
}

/**
 * The key failures are counted under: the credential's name and the source address. A source
 * that only ever presents right credentials is never counted at all.
 */
export function failureKey(
  kind: "client" | "admin" | "user_code" | "user_code_network",
  name: string,
  source: string,
): string {
  return `${kind}\u0000${name}\u0000${source}`;
}
