/**
 * How many clients one source address may register: counted by Cloudflare's rate limiting
 * binding (`REGISTRATION_LIMITER`, 20 a minute per location), before anything is created, since
 * every registration is durable state that nobody authenticated.
 *
 * @see RFC 7591 §3 (open registration), https://developers.cloudflare.com/workers/runtime-apis/bindings/rate-limit/
 */
import { admitFromSource, temporarilyUnavailable } from "../abuse/source-limit";

const TOO_MANY = temporarilyUnavailable("Too many registrations from here; retry later.");

/**
 * Counts one registration from `source`; passes while the source is under the limit. None of
 * RFC 7591 §3.2.2's codes fits (invalid_client_metadata would send the client hunting for a bad
 * field).
 *
 * @throws OAuthError 429 `temporarily_unavailable` with `Retry-After` past the limit.
 */
export function admitRegistration(limiter: RateLimit | undefined, source: string): Promise<void> {
  return admitFromSource(limiter, source, TOO_MANY);
}
