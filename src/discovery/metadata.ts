/**
 * The authorization server's metadata: one document, served both as OpenID Provider metadata
 * and as OAuth 2.0 authorization server metadata.
 *
 * @see RFC 8414 §2, OpenID Connect Discovery 1.0 §3, RFC 9207 §3
 */
import { DEVICE_CODE_GRANT, TOKEN_EXCHANGE_GRANT } from "../clients/record";
import type { Config } from "../config";
import { supportedScopes } from "../scope";
import { STANDARD_CLAIMS } from "../tokens/claims";
import { ASSERTION_ALGORITHMS } from "../tokens/client-assertion";
import { DPOP_ALGORITHMS } from "../tokens/dpop-proof";
import type { SigningKeySet } from "../tokens/keys";

// Both revocation and introspection authenticate the client as the token endpoint does.
const CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"];

/** Claims that Baton's ID tokens and userinfo answers may carry. */
const CLAIMS_SUPPORTED = ["iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "sid", "org_id", ...STANDARD_CLAIMS];

/**
 * The metadata of the server whose issuer is `issuer`: every endpoint lives under it, and every
 * value lists exactly what Baton supports (RFC 8414 §3 asks for that).
 */
export function serverMetadata(issuer: string, keys: SigningKeySet, config: Config): Record<string, unknown> {
  return {
    issuer,
    authorization_endpoint: `${issuer}/oauth2/authorize`,
    token_endpoint: `${issuer}/oauth2/token`,
    userinfo_endpoint: `${issuer}/oauth2/userinfo`,
    jwks_uri: `${issuer}/oauth2/jwks`,
    revocation_endpoint: `${issuer}/oauth2/revoke`,
    introspection_endpoint: `${issuer}/oauth2/introspection`,
    device_authorization_endpoint: `${issuer}/oauth2/device_authorization`,
    end_session_endpoint: `${issuer}/oauth2/logout`,
    scopes_supported: supportedScopes(config.extraScopes),
    response_types_supported: ["code"],
    response_modes_supported: ["query"],
    grant_types_supported: [
      "authorization_code",
      "refresh_token",
      "client_credentials",
      DEVICE_CODE_GRANT,
      TOKEN_EXCHANGE_GRANT,
    ],
    subject_types_supported: ["public"],
    // The signing key's algorithm first: it is what new ID tokens use.
    id_token_signing_alg_values_supported: [...new Set(keys.all.map((key) => key.alg))],
    token_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    revocation_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    introspection_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    // RFC 8414 §2: each is required once private_key_jwt is listed for its endpoint.
    token_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS,
    revocation_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS,
    introspection_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS,
    code_challenge_methods_supported: ["S256"],
    dpop_signing_alg_values_supported: [...DPOP_ALGORITHMS],
    claims_supported: CLAIMS_SUPPORTED,
    // OIDC Discovery defaults request_uri_parameter_supported to true; Baton refuses both.
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    // Every authorization response carries `iss` (RFC 9207).
    authorization_response_iss_parameter_supported: true,
    // Back-Channel Logout 1.0 §2.1: every logout token names the grant (`sid`).
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
    // Advertised only while on (RFC 8414 §2; draft-ietf-oauth-client-id-metadata-document §5).
    ...(config.dynamicRegistration && { registration_endpoint: `${issuer}/oauth2/register` }),
    ...(config.clientMetadataDocuments && { client_id_metadata_document_supported: true }),
  };
}
