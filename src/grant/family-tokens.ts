/**
 * The token response of a family: signed inside the grant's object, so that a refresh costs one
 * round trip and the retry window can keep the exact bytes.
 *
 * @see OIDC Core §12.2, RFC 8707 §2.2
 */
import type { Config } from "../config";
import { loadSigningKeys } from "../tokens/keys";
import { buildTokenResponse } from "../tokens/token-response";
import type { FamilyState } from "./state";

/** What one response of a family is for: its scope and audience, narrowed or whole. */
export interface ResponseShape {
  scope: readonly string[];
  /** The access token's resources: some or all of the family's. */
  resources: readonly string[];
  refreshToken: string | undefined;
  /** Only on the first response (OIDC Core §12.2 drops it on refresh). */
  nonce?: string;
  /** The DPoP key the access token is bound to (`cnf.jkt`), when the request proved one. */
  dpopJkt?: string | undefined;
}

/** Signs the access token (and the ID token when `openid` is in the scope) for `family`. */
export async function familyTokenResponse(
  config: Config,
  family: FamilyState,
  shape: ResponseShape,
  now: number,
): Promise<string> {
  return buildTokenResponse({
    issuer: family.issuer,
    keys: await loadSigningKeys(config.signingKeys),
    subject: {
      clientId: family.clientId,
      subject: family.subject,
      sid: family.sid,
      claims: family.claims,
      ...(family.accessTokenClaims !== undefined && { accessTokenClaims: family.accessTokenClaims }),
      authTime: family.authTime,
      ...(family.organizationId !== undefined && { organizationId: family.organizationId }),
    },
    scope: shape.scope,
    resources: shape.resources,
    now,
    accessTokenTtl: config.accessTokenTtl,
    idTokenTtl: config.idTokenTtl,
    allowIdToken: true,
    ...(shape.nonce !== undefined && { nonce: shape.nonce }),
    ...(family.idTokenAlg !== undefined && { idTokenAlg: family.idTokenAlg }),
    ...(shape.dpopJkt !== undefined && { dpopJkt: shape.dpopJkt }),
    ...(shape.refreshToken !== undefined && { refreshToken: shape.refreshToken }),
  });
}
