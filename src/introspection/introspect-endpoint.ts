/**
 * `POST /oauth2/introspection`: whether a token is live, and what it stands for.
 * Anything not live is `{"active": false}` and nothing more (RFC 7662 §2.2).
 *
 * - A refresh token is active only for the client it belongs to, and only while it is the
 *   family's current one; a retired token is inactive, and introspecting it is never reuse.
 * - An access token is active while it verifies, its grant (`sid`) is live for the same client
 *   and user, and its client is still registered. Any confidential client may introspect one (a
 *   resource server is typically a client of its own); a public client only its own tokens.
 *   A machine token (no grant) is active until it expires or its client revokes it.
 *
 * @see RFC 7662
 */
import { isConfidential, type ClientRecord } from "../clients/record";
import { resolveClient } from "../clients/resolve";
import type { Config } from "../config";
import type { Env } from "../env";
import { NO_STORE_HEADERS, invalidRequest } from "../errors";
import { grantFor } from "../grant/locate";
import { parseRefreshToken } from "../grant/refresh-token";
import { isSidShaped, verifySid } from "../grant/sid";
import { serverKeys } from "../secrets/server-keys";
import { readAuthenticatedRequest } from "../http/authenticated-request";
import { loadSigningKeys } from "../tokens/keys";
import { isMachineTokenRevoked } from "../tokens/revoked-machine-tokens";
import { ownsSession, verifyAccessToken, type VerifiedAccessToken } from "../tokens/verify-access-token";
import type { Endpoint } from "../http/endpoint";

const INACTIVE = { active: false } as const;

/** Handles an introspection request. */
export async function handleIntrospect(endpoint: Endpoint): Promise<Response> {
  const { env, config, issuer } = endpoint;
  const { params, client } = await readAuthenticatedRequest(endpoint);
  const token = params.get("token") ?? invalidRequest("The token parameter is required.");
  const refresh = parseRefreshToken(token);
  const answer =
    refresh === undefined
      ? await inspectAccessToken(env, config, token, issuer, client)
      : // A sid Baton did not make names no grant: inactive, and no object is touched.
        (await verifySid(await serverKeys(config), refresh.sid))
        ? ((await grantFor(env, config, refresh.sid).inspectRefreshToken(token, client.client_id)) ?? INACTIVE)
        : INACTIVE;
  return new Response(JSON.stringify(answer), { headers: NO_STORE_HEADERS });
}

async function inspectAccessToken(
  env: Env,
  config: Config,
  token: string,
  issuer: string,
  caller: ClientRecord,
): Promise<object> {
  const claims = await verifyAccessToken(token, await loadSigningKeys(config.signingKeys), issuer);
  if (claims === undefined) return INACTIVE;
  // A public client "authenticates" with its id alone, which anyone can read in an authorize
  // URL: it learns about its own tokens only, never another client's users.
  if (!isConfidential(caller) && claims.client_id !== caller.client_id) return INACTIVE;
  const grantLive =
    claims.sid === undefined
      ? isMachineTokenRevoked(env.CLIENTS, claims.jti).then((revoked) => !revoked)
      : isSidShaped(claims.sid)
        ? grantFor(env, config, claims.sid)
            .session()
            .then((session) => session !== undefined && ownsSession(claims, session))
        : Promise.resolve(false);
  // A deleted client's tokens stop working at once (the contract's DELETE /admin/clients/ID).
  const [live, owner] = await Promise.all([grantLive, resolveClient(env, config, claims.client_id)]);
  return live && owner !== undefined ? describe(claims) : INACTIVE;
}

function describe(claims: VerifiedAccessToken): object {
  return {
    active: true,
    scope: claims.scope ?? "",
    client_id: claims.client_id,
    sub: claims.sub,
    exp: claims.exp,
    iat: claims.iat,
    iss: claims.iss,
    aud: claims.aud,
    jti: claims.jti,
    token_type: "access_token",
    ...(claims.sid !== undefined && { sid: claims.sid }),
    ...(claims.org_id !== undefined && { org_id: claims.org_id }),
    ...(claims.act !== undefined && { act: claims.act }),
    ...(claims.cnf !== undefined && { cnf: claims.cnf }),
  };
}
