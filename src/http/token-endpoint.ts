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
  const body = await grant({ env, config, client, params, issuer });
  return new Response(body, { headers: NO_STORE_HEADERS });
}
