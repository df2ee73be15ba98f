/**
 * The token exchange grant: a confidential client holding a user's access token (an MCP server,
 * an API) gets a new access token for a downstream resource, carrying the user and the session
 * forward (with the host application's access token claims) and naming itself as the actor. One round trip checks that the session is live; no
 * refresh token is issued, and revoking the session ends the exchanged tokens too.
 *
 * @see RFC 8693 §2 (request and response), §4.1 (`act`), RFC 8707 (targets)
 */
import { isConfidential } from "../clients/record";
import { resolveClient } from "../clients/resolve";
import { nowSeconds } from "../clock";
import { OAuthError, invalidRequest } from "../errors";
import { grantFor } from "../grant/locate";
import { isSidShaped } from "../grant/sid";
import { acceptResources } from "../resources/resource-uri";
import { isSubsetOf, parseScope } from "../scope";
import type { ClaimValue } from "../tokens/claims";
import { loadSigningKeys } from "../tokens/keys";
import { buildTokenResponse } from "../tokens/token-response";
import { verifyAccessToken } from "../tokens/verify-access-token";
import type { GrantContext } from "./context";
import { invalidGrant, invalidTarget } from "./failure";
import { rememberClientProof } from "../dpop/client-proofs";

/** The only token type Baton exchanges and issues. @see RFC 8693 §3 */
export const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

/** Answers a token exchange request with the response body, or throws an OAuthError. */
export async function tokenExchangeGrant(context: GrantContext): Promise<string> {
  const { env, config, params, client, issuer } = context;
  if (!isConfidential(client)) {
    throw new OAuthError("unauthorized_client", "Only a confidential client may exchange tokens.");
  }
  const subjectToken = params.get("subject_token") ?? invalidRequest("The subject_token parameter is required.");
  const subjectType =
    params.get("subject_token_type") ?? invalidRequest("The subject_token_type parameter is required.");
  if (subjectType !== ACCESS_TOKEN_TYPE) invalidRequest("Only access tokens can be exchanged.");
  const requestedType = params.get("requested_token_type");
  if (requestedType !== undefined && requestedType !== ACCESS_TOKEN_TYPE)
    invalidRequest("Only access tokens are issued.");
  if (params.has("actor_token") || params.has("actor_token_type")) invalidRequest("Actor tokens are not supported.");
  const asked = [...params.resources, ...params.audiences];
  if (asked.length === 0) invalidRequest("A resource or an audience is required.");
  const targets = acceptResources(config.resources, asked) ?? throwInvalidTarget();

  const claims = await verifyAccessToken(subjectToken, await loadSigningKeys(config.signingKeys), issuer);
  // A machine token has no session to carry forward.
  if (claims?.sid === undefined || !isSidShaped(claims.sid)) throw invalidGrant();
  // RFC 9449: a token bound to a key must not come out of an exchange as a bearer token. Its
  // holder proves a key of its own, and the new token is bound to that one.
  if (claims.cnf?.jkt !== undefined && context.dpop === undefined) {
    throw new OAuthError("invalid_grant", "The subject_token is bound to a DPoP key; send a DPoP proof.");
  }
  const [session, owner] = await Promise.all([
    grantFor(env, config, claims.sid).session(),
    // A deleted client's tokens stop working (the contract's DELETE /admin/clients/ID) as subject
    // tokens too, as they do at userinfo and introspection.
    resolveClient(env, config, claims.client_id),
  ]);
  if (session === undefined || session.subject !== claims.sub || owner === undefined) throw invalidGrant();
  if (claims.act === undefined && session.clientId !== claims.client_id) throw invalidGrant();
  // An exchanged token's client is the service that exchanged it: the session's own client must
  // still exist too, or a chain of exchanges would outlive its deletion.
  if (session.clientId !== claims.client_id && (await resolveClient(env, config, session.clientId)) === undefined) {
    throw invalidGrant();
  }

  const granted = parseScope(claims.scope ?? "") ?? [];
  const scopeText = params.get("scope");
  const requested = scopeText === undefined ? granted : parseScope(scopeText);
  if (requested === undefined) throw new OAuthError("invalid_scope", "The scope parameter is malformed.");
  if (!isSubsetOf(requested, granted)) {
    throw new OAuthError("invalid_scope", "The requested scope exceeds the subject token's.");
  }
  if (context.dpop !== undefined) await rememberClientProof(env, client, context.dpop);
  // RFC 8693 §4.1: the current actor, with the one before it nested, when this is a chain.
  const act = { sub: client.client_id, ...(claims.act !== undefined && { act: claims.act }) } as ClaimValue;
  return buildTokenResponse({
    issuer,
    keys: await loadSigningKeys(config.signingKeys),
    subject: {
      clientId: client.client_id,
      subject: claims.sub,
      sid: claims.sid,
      claims: {},
      // The contract's access_token_claims go into every access token of the grant, this one too
      // (read from the session, not the subject token: the grant's word is the one that counts).
      accessTokenClaims: { ...session.accessTokenClaims, act },
      ...(claims.org_id !== undefined && { organizationId: claims.org_id }),
    },
    scope: requested,
    resources: targets,
    now: nowSeconds(),
    accessTokenTtl: config.accessTokenTtl,
    idTokenTtl: config.idTokenTtl,
    allowIdToken: false,
    issuedTokenType: ACCESS_TOKEN_TYPE,
    ...(context.dpop !== undefined && { dpopJkt: context.dpop.jkt }),
  });
}

function throwInvalidTarget(): never {
  throw invalidTarget();
}
