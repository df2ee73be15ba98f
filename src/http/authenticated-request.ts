/**
 * The first steps shared by the endpoints that authenticate their client like the token endpoint
 * does (revocation, introspection): parse the body, then authenticate.
 *
 * @see RFC 7009 §2.1, RFC 7662 §2.1
 */
import { authenticateClient } from "../clients/authenticate";
import type { ClientRecord } from "../clients/record";
import { readClientCredentials } from "./client-credentials";
import { sourceAddress } from "./source-address";
import { readParams, type Params } from "./params";
import type { Endpoint } from "./endpoint";

/** A parsed body and the client it authenticated. */
export interface AuthenticatedRequest {
  params: Params;
  client: ClientRecord;
}

/** Parses the request and authenticates its client; throws OAuthError otherwise. */
export async function readAuthenticatedRequest(endpoint: Endpoint): Promise<AuthenticatedRequest> {
  const { request, env, config, url, issuer, trace } = endpoint;
  const params = await readParams(request, url);
  const credentials = readClientCredentials(request, params);
  const client = await authenticateClient(env, credentials, sourceAddress(request), { config, issuer });
  trace.clientId = client.client_id;
  return { params, client };
}
