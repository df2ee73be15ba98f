/**
 * The authorization_code grant: the Worker's side. The code routes to its grant's object, which
 * checks it once and starts the token family.
 *
 * @see RFC 6749 §4.1.3, RFC 7636 §4.5
 */
import { isConfidential } from "../clients/record";
import { isRegisteredRedirect } from "../clients/redirect-match";
import { parseScope } from "../scope";
import { invalidRequest } from "../errors";
import { sidOfAuthorizationCode } from "../grant/authorization-code";
import type { GrantContext } from "./context";
import { grantFailureError, invalidGrant } from "./failure";
import { requestedResources } from "./resources";
import { grantFor } from "../grant/locate";
import { verifySid } from "../grant/sid";
import { serverKeys } from "../secrets/server-keys";

/** Answers an authorization_code grant request with the response body, or throws an OAuthError. */
export async function authorizationCodeGrant(context: GrantContext): Promise<string> {
  const { env, params, client, issuer } = context;
  const code = params.get("code") ?? invalidRequest("The code parameter is required.");
  // Every authorization request carries redirect_uri, so every redemption must repeat it.
  const redirectUri = params.get("redirect_uri") ?? invalidRequest("The redirect_uri parameter is required.");
  const codeVerifier = params.get("code_verifier");
  const resources = requestedResources(context);
  const sid = sidOfAuthorizationCode(code);
  // A code whose sid Baton did not make is refused before any object is touched.
  if (sid === undefined || !(await verifySid(await serverKeys(context.config), sid))) {
    throw invalidGrant();
  }
  const result = await grantFor(env, context.config, sid).redeemCode({
    code,
    clientId: client.client_id,
    redirectUri,
    ...(codeVerifier !== undefined && { codeVerifier }),
    issuer,
    ...(resources.length > 0 && { resources }),
    refreshAllowed: client.grant_types.includes("refresh_token"),
    publicClient: !isConfidential(client),
    allowedScope: parseScope(client.scope) ?? [],
    // Against the record already read to authenticate the client: no lookup of its own.
    redirectRegistered: isRegisteredRedirect(client.redirect_uris, redirectUri),
    ...(context.dpop !== undefined && { dpop: context.dpop }),
    ...(client.id_token_signed_response_alg !== undefined && { idTokenAlg: client.id_token_signed_response_alg }),
  });
  if (!result.ok) throw grantFailureError(result);
  return result.body;
}
