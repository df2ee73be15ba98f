/**
 * The client_credentials grant, for machine clients: an access token whose `sub` is the client
 * itself; no refresh token and no ID token.
 *
 * @see RFC 6749 §4.4, WorkOS Connect machine-to-machine tokens
 */
import { OAuthError } from "../errors";
import { isSubsetOf, parseScope } from "../scope";
import { loadSigningKeys } from "../tokens/keys";
import { buildTokenResponse } from "../tokens/token-response";
import type { GrantContext } from "./context";
import { rememberClientProof } from "../dpop/client-proofs";
import { requestedResources } from "./resources";
import { nowSeconds } from "../clock";

/** Answers a client_credentials grant request with the response body, or throws an OAuthError. */
export async function clientCredentialsGrant(context: GrantContext): Promise<string> {
  const { config, params, client, issuer } = context;
  const allowed = parseScope(client.scope) ?? [];
  const requestedText = params.get("scope");
  const requested = requestedText === undefined ? allowed : parseScope(requestedText);
  if (requested === undefined) throw new OAuthError("invalid_scope", "The scope parameter is malformed.");
  if (!isSubsetOf(requested, allowed)) {
    throw new OAuthError("invalid_scope", "The requested scope exceeds what the client may ask for.");
  }
  // A machine client may name any resource Baton serves (RFC 8707 §2.2).
  const resources = requestedResources(context);
  if (context.dpop !== undefined) await rememberClientProof(context.env, client, context.dpop);
  return buildTokenResponse({
    issuer,
    keys: await loadSigningKeys(config.signingKeys),
    subject: {
      clientId: client.client_id,
      subject: client.client_id,
      claims: {},
      ...(client.organization_id !== undefined && { organizationId: client.organization_id }),
    },
    scope: requested.length > 0 ? requested : allowed,
    resources,
    ...(context.dpop !== undefined && { dpopJkt: context.dpop.jkt }),
    now: nowSeconds(),
    accessTokenTtl: config.accessTokenTtl,
    idTokenTtl: config.idTokenTtl,
    allowIdToken: false,
  });
}
