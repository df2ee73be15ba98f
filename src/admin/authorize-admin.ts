/**
 * The admin bearer token check. Both sides are hashed first so that the constant-time compare
 * sees equal lengths whatever was sent.
 *
 * @see RFC 6750 §2.1, §3
 */
import { OAuthError } from "../errors";
import { sha256 } from "../encoding/sha256";

/**
 * Passes when the request carries `Authorization: Bearer <ADMIN_TOKEN>`.
 *
 * @throws OAuthError 401 `invalid_token` otherwise.
 */
export async function requireAdmin(request: Request, adminToken: string): Promise<void> {
  const header = request.headers.get("Authorization") ?? "";
  const match = /^Bearer +(\S+) *$/i.exec(header);
  const presented = match?.[1] ?? "";
  const [a, b] = await Promise.all([sha256(presented), sha256(adminToken)]);
  if (match === null || !crypto.subtle.timingSafeEqual(a, b)) {
    throw new OAuthError("invalid_token", "A valid admin bearer token is required.", 401, {
      "WWW-Authenticate": 'Bearer realm="Baton admin"',
    });
  }
}
