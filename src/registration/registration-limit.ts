/**
 * How many clients one source address may register: counted by Cloudflare's rate limiting
 * binding (`REGISTRATION_LIMITER`, 20 a minute per location), before anything is created, since
 * every registration is durable state that nobody authenticated.
 *
 * @see RFC 7591 §3 (open registration), https://developers.cloudflare.com/workers/runtime-apis/bindings/rate-limit/
 */
import { OAuthError } from "../errors";

/** The binding's period: how long a source over the limit waits. */
const PERIOD_SECONDS = 60;

/**
 * Counts one registration from `source`; passes while the source is under the limit.
 *
 * @throws OAuthError 429 `temporarily_unavailable` with `Retry-After` past the limit.
 */
export async function admitRegistration(limiter: RateLimit | undefined, source: string): Promise<void> {
  if (limiter === undefined) return;
  const { success } = await limiter.limit({ key: source });
  if (success) return;
  // RFC 7591 has no code for this. The request is fine and would succeed later, so no code of
  // §3.2.2 fits (invalid_client_metadata would send the client hunting for a bad field);
  // temporarily_unavailable (RFC 6749 §4.1.2.1) says what is true, Retry-After says when.
  throw new OAuthError("temporarily_unavailable", "Too many registrations from here; retry later.", 429, {
    "Retry-After": String(PERIOD_SECONDS),
  });
}
