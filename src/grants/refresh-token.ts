/**
 * The refresh_token grant: the Worker's side. It checks what needs no state, then makes the one
 * call to the grant's Durable Object, which decides and signs.
 *
 * @see RFC 6749 §6
 */
import { OAuthError, invalidRequest } from "../errors";
import { parseRefreshToken } from "../grant/refresh-token";
import { parseScope } from "../scope";
import type { GrantContext } from "./context";
import { grantFailureError, invalidGrant } from "./failure";
import { requestedResources } from "./resources";
import { grantFor } from "../grant/locate";
import { verifySid } from "../grant/sid";
import { serverKeys } from "../secrets/server-keys";

/** Answers a refresh_token grant request with the response body, or throws an OAuthError. */
export async function refreshTokenGrant(context: GrantContext): Promise<string> {
  const { env, params, client } = context;
  const refreshToken = params.get("refresh_token") ?? invalidRequest("The refresh_token parameter is required.");
  const scopeParam = params.get("scope");
  const parsedScope = scopeParam === undefined ? undefined : parseScope(scopeParam);
  if (scopeParam !== undefined && parsedScope === undefined) {
    throw new OAuthError("invalid_scope", "The scope parameter is malformed.");
  }
  // Only spaces is as good as empty, and an empty parameter counts as absent (RFC 6749 §3.1).
  const scope = parsedScope?.length === 0 ? undefined : parsedScope;
  const resources = requestedResources(context);
  // A token that is not Baton's, whatever its length or alphabet, or whose sid Baton did not make,
  // is refused here, before any object is touched.
  const parsed = parseRefreshToken(refreshToken);
  if (parsed === undefined || !(await verifySid(await serverKeys(context.config), parsed.sid))) {
    throw invalidGrant();
  }
  const grant = grantFor(env, context.config, parsed.sid);
  const result = await grant.refresh({
    refreshToken,
    clientId: client.client_id,
    ...(scope !== undefined && { scope }),
    ...(resources.length > 0 && { resources }),
    ...(context.dpop !== undefined && { dpop: context.dpop }),
  });
  if (!result.ok) throw grantFailureError(result);
  return result.body;
}
