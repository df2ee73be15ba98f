/**
 * Work that anyone may ask for, counted per source address by Cloudflare's rate limiting binding
 * before it is done: a registration and a public client's device authorization (durable state
 * nobody authenticated), a metadata document's fetch (a request to a URL of the asker's choosing).
 *
 * @see https://developers.cloudflare.com/workers/runtime-apis/bindings/rate-limit/
 */
import { OAuthError } from "../errors";

/** The bindings' period (wrangler.toml): how long a source over its limit waits. */
export const SOURCE_PERIOD_SECONDS = 60;

/**
 * Counts one request from `source`; passes while the source is under the limit, and always when
 * no binding is configured.
 *
 * @throws OAuthError 429 `temporarily_unavailable` with `Retry-After`, saying `description`.
 */
export async function admitFromSource(
  limiter: RateLimit | undefined,
  source: string,
  description: string,
): Promise<void> {
  if (limiter === undefined) return;
  const { success } = await limiter.limit({ key: source });
  if (success) return;
  // The request itself is fine and would succeed later, so no code that names a bad parameter
  // fits; temporarily_unavailable (RFC 6749 §4.1.2.1) says what is true, Retry-After says when.
  throw new OAuthError("temporarily_unavailable", description, 429, {
    "Retry-After": String(SOURCE_PERIOD_SECONDS),
  });
}
