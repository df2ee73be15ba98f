/**
 * `GET /.well-known/openid-configuration` and `GET /.well-known/oauth-authorization-server`.
 *
 * @see OpenID Connect Discovery 1.0 §4, RFC 8414 §3
 */
import { jsonResponse } from "../http/json-response";
import { loadSigningKeys } from "../tokens/keys";
import { serverMetadata } from "./metadata";
import type { Endpoint } from "../http/endpoint";

/**
 * Answers with the server metadata. It is public and changes only with the configuration, so
 * caches may keep it for five minutes, like the JWKS (any origin may read it: see http/cors.ts).
 */
export async function handleDiscovery({ config, issuer }: Endpoint): Promise<Response> {
  const keys = await loadSigningKeys(config.signingKeys);
  return jsonResponse(serverMetadata(issuer, keys, config), 200, {
    "Cache-Control": "public, max-age=300",
  });
}
