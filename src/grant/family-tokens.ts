/**
 * The token response of a family: signed inside the grant's object, so that a refresh costs one
 * round trip and the retry window can keep the exact bytes.
 *
 * @see OIDC Core §12.2
 */
import type { Config } from "../config";
import { loadSigningKeys } from "../tokens/keys";
import { buildTokenResponse } from "../tokens/token-response";
import type { FamilyState } from "./state";

/** Signs the access token (and the ID token when `openid` is in `scope`) for `family`. */
export async function familyTokenResponse(
  config: Config,
  family: FamilyState,
  scope: readonly string[],
  now: number,
  refreshToken: string | undefined,
  nonce?: string,
): Promise<string> {
  return buildTokenResponse({
    issuer: family.issuer,
    keys: await loadSigningKeys(config.signingKeys),
    subject: {
      clientId: family.clientId,
      subject: family.subject,
      sid: family.sid,
      claims: family.claims,
      authTime: family.authTime,
      ...(family.organizationId !== undefined && { organizationId: family.organizationId }),
    },
    scope,
    now,
    accessTokenTtl: config.accessTokenTtl,
    idTokenTtl: config.idTokenTtl,
    allowIdToken: true,
    ...(nonce !== undefined && { nonce }),
    ...(refreshToken !== undefined && { refreshToken }),
  });
}
