/**
 * The admin bearer token check. Both sides are hashed first so that the constant-time compare
 * sees equal lengths whatever was sent. Failures are counted per source address: the right
 * token always passes, so nobody's failures can lock the host application out.
 *
 * @see RFC 6750 §2.1, §3
 */
import { failureKey, recordFailure } from "../abuse/failure-throttle";
import { tooManyRequests } from "../abuse/source-limit";
import { sha256 } from "../encoding/sha256";
import type { Env } from "../env";
import { OAuthError } from "../errors";
import { sourceAddress } from "../http/source-address";

const CHALLENGE = 'Bearer realm="Baton admin"';

/**
 * Passes when the request carries `Authorization: Bearer <ADMIN_TOKEN>`.
 *
 * @throws OAuthError 401 `invalid_token` otherwise, or 429 once its source has failed too often.
 */
export async function requireAdmin(
  request: Request,
  adminToken: string,
  env: Pick<Env, "ADMIN_AUTH_LIMITER">,
): Promise<void> {
  const header = request.headers.get("Authorization") ?? "";
  const match = /^Bearer +(\S+) *$/i.exec(header);
  const presented = match?.[1] ?? "";
  const [a, b] = await Promise.all([sha256(presented), sha256(adminToken)]);
  if (match !== null && crypto.subtle.timingSafeEqual(a, b)) return;
  await recordFailure(env.ADMIN_AUTH_LIMITER, failureKey("admin", "", sourceAddress(request)), tooManyFailures);
  throw new OAuthError("invalid_token", "A valid admin bearer token is required.", 401, {
    "WWW-Authenticate": CHALLENGE,
  });
}

const tooManyFailures = tooManyRequests(
  "invalid_token",
  "Too many failed admin authentications from here; retry later.",
  { "WWW-Authenticate": CHALLENGE },
);
