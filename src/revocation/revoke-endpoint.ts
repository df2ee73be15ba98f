/**
 * `POST /oauth2/revoke`: revoking a refresh token or an access token ends its whole grant; a
 * machine (`client_credentials`) token, which has none, is revoked alone.
 * The answer is 200 whether or not the token was known, valid, or the caller's (RFC 7009 §2.2),
 * so that the endpoint tells nothing about tokens that are not yours.
 *
 * @see RFC 7009
 */
import type { Env } from "../env";
import { OAuthError, invalidRequest } from "../errors";
import { grantFor } from "../grant/locate";
import { isConfidential } from "../clients/record";
import { parseRefreshToken } from "../grant/refresh-token";
import { isSidShaped, verifySid } from "../grant/sid";
import { serverKeys } from "../secrets/server-keys";
import { readAuthenticatedRequest } from "../http/authenticated-request";
import { loadSigningKeys } from "../tokens/keys";
import { revokeMachineToken } from "../tokens/revoked-machine-tokens";
import { verifyAccessToken } from "../tokens/verify-access-token";
import type { Endpoint } from "../http/endpoint";

/** Handles a revocation request. `token_type_hint` is optional and only a hint, so it is not read. */
export async function handleRevoke(endpoint: Endpoint): Promise<Response> {
  const { env, config, issuer } = endpoint;
  const { params, client } = await readAuthenticatedRequest(endpoint);
  const token = params.get("token") ?? invalidRequest("The token parameter is required.");
  const refresh = parseRefreshToken(token);
  let revoked = true;
  if (refresh !== undefined) {
    // A sid Baton did not make names no grant: nothing to revoke, and no object is touched.
    if (await verifySid(await serverKeys(config), refresh.sid)) {
      revoked = await grantFor(env, config, refresh.sid).revokeWithRefreshToken(token, client.client_id);
    }
  } else {
    const keys = await loadSigningKeys(config.signingKeys);
    // An expired access token still proves the grant to a confidential client, which may hold
    // nothing fresher when it signs a user out; a public client's id is no secret, so an
    // expired token found anywhere must not end a session for it.
    const claims = await verifyAccessToken(token, keys, issuer, { acceptExpired: isConfidential(client) });
    // Another client's token is left alone; a machine token (no sid) has no grant to end, so
    // it alone is marked revoked until it expires.
    if (claims !== undefined && claims.client_id === client.client_id) {
      if (claims.sid === undefined) revoked = await markRevoked(env, claims.jti, claims.exp);
      else if (isSidShaped(claims.sid)) revoked = await grantFor(env, config, claims.sid).revoke();
    }
  }
  // RFC 7009 §2.2.1: 503 tells the client to assume the token still exists and try again.
  if (!revoked) throw revocationUnavailable();
  return new Response(null, { status: 200, headers: { "Cache-Control": "no-store", Pragma: "no-cache" } });
}

/** Marks a machine token revoked; `false` when KV could not store it. */
async function markRevoked(env: Pick<Env, "CLIENTS">, jti: string, exp: number): Promise<boolean> {
  try {
    await revokeMachineToken(env.CLIENTS, jti, exp);
    return true;
  } catch {
    return false;
  }
}

/** The answer when storage failed mid-revocation. */
export function revocationUnavailable(): OAuthError {
  return new OAuthError("temporarily_unavailable", "The token could not be revoked now; try again.", 503, {
    "Retry-After": "1",
  });
}
