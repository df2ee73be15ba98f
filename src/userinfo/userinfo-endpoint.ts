/**
 * `GET`/`POST /oauth2/userinfo`: the user's claims that the access token's scope releases.
 *
 * @see OIDC Core §5.3 (UserInfo endpoint), RFC 6750 (bearer tokens)
 */
import { resolveClient } from "../clients/resolve";
import { NO_STORE_HEADERS } from "../errors";
import { isSidShaped } from "../grant/sid";
import { parseScope } from "../scope";
import { claimsForScope } from "../tokens/claims";
import { loadSigningKeys } from "../tokens/keys";
import { ownsSession, verifyAccessToken } from "../tokens/verify-access-token";
import { insufficientScope, invalidToken, missingToken, readBearerToken } from "./bearer-token";
import { nowSeconds } from "../clock";
import { grantFor } from "../grant/locate";
import { checkBinding, dpopSchemeToken, insufficientDpopScope, invalidDpopToken } from "./dpop-token";
import type { Endpoint } from "../http/endpoint";

/**
 * Answers with `sub` and the claims of the token's scope, read from the live grant. The token
 * must verify, name a grant (`sid`: machine tokens have no user), and that grant must still be
 * live, for the same client and user, and the client must still be registered.
 */
export async function handleUserinfo(endpoint: Endpoint): Promise<Response> {
  const { request, env, config, url, issuer } = endpoint;
  const dpopToken = dpopSchemeToken(request.headers.get("Authorization"));
  const token = dpopToken ?? (await readBearerToken(request, url));
  if (token === undefined) throw missingToken();
  // Every refusal of a token speaks the scheme it came in (RFC 9449 §7.1, RFC 6750 §3).
  const refused = () => (dpopToken === undefined ? invalidToken() : invalidDpopToken());
  const keys = await loadSigningKeys(config.signingKeys);
  const claims = await verifyAccessToken(token, keys, issuer);
  if (claims?.sid === undefined || !isSidShaped(claims.sid)) throw refused();
  const target = { method: request.method, url: `${issuer}${url.pathname}` };
  const proof = await checkBinding(
    request,
    target,
    token,
    dpopToken !== undefined,
    claims.cnf?.jkt,
    config,
    nowSeconds(),
  );
  const grant = grantFor(env, config, claims.sid);
  const [session, client] = await Promise.all([
    proof === undefined ? grant.session() : grant.provenSession(proof),
    // A deleted client's tokens stop working at once (the contract's DELETE /admin/clients/ID).
    resolveClient(env, config, claims.client_id),
  ]);
  if (session === "replayed") throw invalidDpopToken();
  if (session === undefined || !ownsSession(claims, session) || client === undefined) throw refused();
  // A token that is no longer valid is refused as such before its scope is looked at.
  const scope = parseScope(claims.scope ?? "") ?? [];
  if (!scope.includes("openid")) {
    throw dpopToken === undefined ? insufficientScope("openid") : insufficientDpopScope("openid");
  }
  const body = { ...claimsForScope(session.claims, scope), sub: session.subject };
  return new Response(JSON.stringify(body), { headers: NO_STORE_HEADERS });
}
