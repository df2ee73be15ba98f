/**
 * Work that anyone may ask for, counted per source address by Cloudflare's rate limiting binding
 * before it is done: a registration and a device authorization of a client anyone could have
 * made (durable state nobody vouched for), a metadata document's fetch (a request to a URL of
 * the asker's choosing).
 *
 * @see https://developers.cloudflare.com/workers/runtime-apis/bindings/rate-limit/
 */
import { OAuthError, type OAuthErrorCode } from "../errors";

/**
 * Who asked, for a fetch of a URL that a client names (its metadata document, its `jwks_uri`),
 * which a request from anyone can cause: its source address, counted by `limiter`
 * (`DOCUMENT_FETCH_LIMITER`).
 */
export interface FetchAsker {
  limiter: RateLimit | undefined;
  source: string;
}

/** The bindings' period (wrangler.toml): how long a source over its limit waits. */
export const SOURCE_PERIOD_SECONDS = 60;

/** Builds the 429 answer of one limit, in the error code its endpoint answers with. */
export type TooManyRequests = (retryAfterSeconds: number) => OAuthError;

/**
 * The 429 of one limit: `code` and `description`, with `Retry-After` and any other `headers`
 * its endpoint's answers carry.
 *
 * @see RFC 6585 §4
 */
export function tooManyRequests(
  code: OAuthErrorCode,
  description: string,
  headers: Record<string, string> = {},
): TooManyRequests {
  return (retryAfter) => new OAuthError(code, description, 429, { "Retry-After": String(retryAfter), ...headers });
}

/**
 * Counts one request from `source`; passes while the source is under the limit, and always when
 * no binding is configured.
 *
 * @throws OAuthError the 429 of `tooMany`, with `Retry-After`.
 */
export async function admitFromSource(
  limiter: RateLimit | undefined,
  source: string,
  tooMany: TooManyRequests,
): Promise<void> {
  if (limiter === undefined) return;
  const { success } = await limiter.limit({ key: source });
  if (!success) throw tooMany(SOURCE_PERIOD_SECONDS);
}

/**
 * A 429 `temporarily_unavailable` saying `description`, where the request itself is fine and
 * would succeed later: no code that names a bad parameter fits (RFC 7591 has none for this),
 * while temporarily_unavailable (RFC 6749 §4.1.2.1) says what is true and Retry-After says when.
 */
export function temporarilyUnavailable(description: string): TooManyRequests {
  return tooManyRequests("temporarily_unavailable", description);
}

/**
 * Counts one fetch for `asker` (none without one: the URL came from Baton's own records of an
 * earlier request that was counted).
 *
 * @throws OAuthError 429 `invalid_client` past the limit: the client cannot be known or
 * authenticated without the fetch, and the token endpoint's other 429 keeps that code too
 * (RFC 6749 §5.2).
 */
export async function admitFetch(asker: FetchAsker | undefined): Promise<void> {
  if (asker !== undefined) await admitFromSource(asker.limiter, asker.source, tooManyFetches);
}

const tooManyFetches = tooManyRequests(
  "invalid_client",
  "Too many client documents fetched for requests from here; retry later.",
);
