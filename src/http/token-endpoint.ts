/**
 * `POST /oauth2/token`: request shape, then client authentication, then whether the client may
 * use the grant type, then the grant itself.
 *
 * @see RFC 6749 §3.2, §5
 */
import { authenticateClient } from "../clients/authenticate";
import { DEVICE_CODE_GRANT, TOKEN_EXCHANGE_GRANT, type GrantType } from "../clients/record";
import { NO_STORE_HEADERS, OAuthError, invalidRequest } from "../errors";
import type { GrantContext } from "../grants/context";
import { authorizationCodeGrant } from "../grants/authorization-code";
import { clientCredentialsGrant } from "../grants/client-credentials";
import { deviceCodeGrant } from "../grants/device-code";
import { refreshTokenGrant } from "../grants/refresh-token";
import { tokenExchangeGrant } from "../grants/token-exchange";
import { readClientCredentials } from "./client-credentials";
import { nowSeconds } from "../clock";
import { invalidProof, nonceHeader, readDpopProof } from "../dpop/request-proof";
import { sourceAddress } from "./source-address";
import { readParams } from "./params";
import type { Endpoint } from "./endpoint";

type GrantHandler = (context: GrantContext) => Promise<string>;

const GRANTS: Record<GrantType, GrantHandler> = {
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
  client_credentials: clientCredentialsGrant,
  [DEVICE_CODE_GRANT]: deviceCodeGrant,
  [TOKEN_EXCHANGE_GRANT]: tokenExchangeGrant,
};

/** Handles a token request; throws OAuthError for every refusal. */
export async function handleTokenRequest(endpoint: Endpoint): Promise<Response> {
  const { request, env, config, url, issuer, trace } = endpoint;
  const params = await readParams(request, url);
  const grantType = params.get("grant_type") ?? invalidRequest("The grant_type parameter is required.");
  const credentials = readClientCredentials(request, params);
  const client = await authenticateClient(env, credentials, sourceAddress(request), { config, issuer });
  trace.clientId = client.client_id;
  const grant = Object.hasOwn(GRANTS, grantType) ? GRANTS[grantType as GrantType] : undefined;
  if (grant === undefined) {
    throw new OAuthError("unsupported_grant_type", "The grant type is not supported.");
  }
  trace.grant = grantType;
  if (!client.grant_types.includes(grantType as GrantType)) {
    throw new OAuthError("unauthorized_client", "The client is not allowed to use this grant type.");
  }
  const now = nowSeconds();
  const dpop = await readDpopProof(request, { method: "POST", url: `${issuer}${url.pathname}` }, config, now);
  // RFC 9449 §5.2: a client that registered for DPoP-bound tokens never gets a bearer one.
  if (dpop === undefined && client.dpop_bound_access_tokens === true) {
    throw invalidProof("A DPoP proof is required for this client.");
  }
  const body = await grant({ env, config, client, params, issuer, ...(dpop !== undefined && { dpop }) });
  const headers = dpop === undefined ? NO_STORE_HEADERS : { ...NO_STORE_HEADERS, ...(await nonceHeader(config, now)) };
  return new Response(body, { headers });
}
