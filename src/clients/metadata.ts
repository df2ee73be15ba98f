/**
 * Validating client metadata, under one of three profiles:
 *
 * - `admin`: what the operator registers through the admin API (any grant, any scope);
 * - `dynamic`: what anyone may register at `POST /oauth2/register` (the code flow only, scopes
 *   that Baton supports, no `organization_id`);
 * - `metadata_document`: what a Client ID Metadata Document may say (as `dynamic`, with a name,
 *   and never a shared secret).
 *
 * Unknown members are ignored in every profile.
 *
 * @see RFC 7591 §2 (metadata), §3.2.2 (invalid_client_metadata); redirect-uri.ts for the rules
 * each redirect URI follows; metadata-fields.ts for the members every profile reads alike;
 * draft-ietf-oauth-client-id-metadata-document §4.1
 */
import type { Config } from "../config";
import { formatScope, parseScope, supportedScopes } from "../scope";
import { readBackchannelMetadata } from "./backchannel-metadata";
import { readKeyMaterial } from "./key-metadata";
import { invalid, readApplicationType, readContacts, readHttpsUrl, readText } from "./metadata-fields";
import {
  DEVICE_CODE_GRANT,
  TOKEN_EXCHANGE_GRANT,
  isConfidential,
  type ClientMetadata,
  type GrantType,
  type TokenEndpointAuthMethod,
} from "./record";
import { checkRedirectUri } from "./redirect-uri";

/** Who is registering: the operator, anyone (RFC 7591), or a document fetched from a URL. */
export type MetadataProfile = "admin" | "dynamic" | "metadata_document";

/**
 * The settings validation depends on; `signingAlgorithms`, those of the configured signing keys
 * (an `id_token_signed_response_alg` must be one of them), when they are known.
 */
export type MetadataSettings = Pick<Config, "extraScopes" | "clientMetadataAllowLoopback"> & {
  signingAlgorithms?: readonly string[];
};

const GRANT_TYPES: Record<MetadataProfile, readonly GrantType[]> = {
  admin: ["authorization_code", "refresh_token", "client_credentials", DEVICE_CODE_GRANT, TOKEN_EXCHANGE_GRANT],
  dynamic: ["authorization_code", "refresh_token", DEVICE_CODE_GRANT],
  metadata_document: ["authorization_code", "refresh_token", DEVICE_CODE_GRANT],
};
const GRANT_TYPES_MESSAGE: Record<MetadataProfile, string> = {
  admin:
    "grant_types may hold only authorization_code, refresh_token, client_credentials and the device code and token exchange grants.",
  dynamic: "grant_types may hold only authorization_code, refresh_token and the device code grant.",
  metadata_document: "grant_types may hold only authorization_code, refresh_token and the device code grant.",
};
const AUTH_METHODS: Record<MetadataProfile, readonly TokenEndpointAuthMethod[]> = {
  admin: ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"],
  dynamic: ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"],
  // The document is public: a secret in it would be no secret (draft §4.1).
  metadata_document: ["none", "private_key_jwt"],
};
const AUTH_METHODS_MESSAGE: Record<MetadataProfile, string> = {
  admin: "token_endpoint_auth_method must be client_secret_basic, client_secret_post, private_key_jwt or none.",
  dynamic: "token_endpoint_auth_method must be client_secret_basic, client_secret_post, private_key_jwt or none.",
  metadata_document: "token_endpoint_auth_method must be none or private_key_jwt: a metadata document holds no secret.",
};
// RFC 7591 §2: a client that says nothing authenticates with a secret, by Basic.
const DEFAULT_AUTH_METHOD: Record<MetadataProfile, TokenEndpointAuthMethod> = {
  admin: "client_secret_basic",
  dynamic: "client_secret_basic",
  metadata_document: "none",
};
const ADMIN_DEFAULT_SCOPE = "openid profile email offline_access";
const MAX_REDIRECT_URIS = 20;

/**
 * Checks metadata under `profile` and fills the defaults (`grant_types: ["authorization_code"]`,
 * the profile's `token_endpoint_auth_method`, a scope). Unknown members are ignored.
 *
 * @throws OAuthError 400 `invalid_redirect_uri` for a redirect URI (or post-logout redirect URI)
 * that breaks the rules of {@link checkRedirectUri}, else 400 `invalid_client_metadata` with a
 * fixed description naming the member at fault.
 * @see RFC 7591 §2, §3.2.2
 */
export function validateClientMetadata(
  input: Record<string, unknown>,
  profile: MetadataProfile,
  settings: MetadataSettings,
): ClientMetadata {
  const grantTypes = readGrantTypes(input.grant_types, profile);
  const method = readAuthMethod(input.token_endpoint_auth_method, profile);
  if (profile !== "admin") readResponseTypes(input.response_types);
  if (profile === "metadata_document") {
    if (input.client_secret !== undefined || input.client_secret_expires_at !== undefined) {
      invalid("A metadata document must not hold a client_secret.");
    }
    if (input.client_name === undefined || input.client_name === null) {
      invalid("A metadata document must have a client_name.");
    }
    // Even a document naming only the device grant says where its browser flows may return:
    // a document without the member is one nobody checked.
    if (!Array.isArray(input.redirect_uris)) invalid("A metadata document must have redirect_uris.");
  }
  if (grantTypes.includes("client_credentials") && method === "none") {
    invalid("client_credentials needs a confidential client (token_endpoint_auth_method other than none).");
  }
  if (grantTypes.includes(TOKEN_EXCHANGE_GRANT) && !isConfidential({ token_endpoint_auth_method: method })) {
    invalid("token exchange needs a confidential client (token_endpoint_auth_method other than none).");
  }
  if (
    grantTypes.includes("refresh_token") &&
    !grantTypes.includes("authorization_code") &&
    !grantTypes.includes(DEVICE_CODE_GRANT)
  ) {
    invalid(
      "refresh_token needs authorization_code or the device code grant, which is where refresh tokens come from.",
    );
  }
  const redirectUris = readRedirectUris(input.redirect_uris, grantTypes.includes("authorization_code"));
  const metadata: ClientMetadata = {
    redirect_uris: redirectUris,
    grant_types: grantTypes,
    token_endpoint_auth_method: method,
    scope: profile === "admin" ? readAdminScope(input.scope, grantTypes) : readSupportedScope(input.scope, settings),
  };
  const optional: Partial<ClientMetadata> = {
    client_name: readText(input.client_name, "client_name must be a string of 1 to 200 printable characters."),
    // An organization is the operator's to assign: a registrant could otherwise claim one.
    organization_id:
      profile === "admin"
        ? readText(input.organization_id, "organization_id must be a string of 1 to 200 printable characters.")
        : undefined,
    application_type: readApplicationType(input.application_type),
    client_uri: readHttpsUrl(input.client_uri, "client_uri must be an https URL without a user name or fragment."),
    logo_uri: readHttpsUrl(input.logo_uri, "logo_uri must be an https URL without a user name or fragment."),
    contacts: readContacts(input.contacts),
    software_id: readText(input.software_id, "software_id must be a string of 1 to 200 printable characters."),
    software_version: readText(
      input.software_version,
      "software_version must be a string of 1 to 200 printable characters.",
    ),
    post_logout_redirect_uris: readPostLogoutRedirectUris(input.post_logout_redirect_uris),
    id_token_signed_response_alg: readIdTokenAlg(input.id_token_signed_response_alg, settings.signingAlgorithms),
    dpop_bound_access_tokens: readFlag(
      input.dpop_bound_access_tokens,
      "dpop_bound_access_tokens must be true or false.",
    ),
    ...readKeyMaterial(input, method, { allowLoopback: settings.clientMetadataAllowLoopback }),
    ...readBackchannelMetadata(input),
  };
  for (const [name, value] of Object.entries(optional)) {
    if (value !== undefined) Object.assign(metadata, { [name]: value });
  }
  return metadata;
}

function readGrantTypes(value: unknown, profile: MetadataProfile): GrantType[] {
  if (value === undefined) return ["authorization_code"];
  if (!Array.isArray(value) || value.length === 0) invalid("grant_types must be a non-empty array.");
  const unique = new Set<GrantType>();
  for (const entry of value) {
    if (profile !== "admin" && entry === "client_credentials") {
      invalid("client_credentials cannot be registered here: machine clients are registered by the operator.");
    }
    if (!GRANT_TYPES[profile].includes(entry as GrantType)) invalid(GRANT_TYPES_MESSAGE[profile]);
    unique.add(entry as GrantType);
  }
  return [...unique];
}

function readAuthMethod(value: unknown, profile: MetadataProfile): TokenEndpointAuthMethod {
  if (value === undefined) return DEFAULT_AUTH_METHOD[profile];
  if (!AUTH_METHODS[profile].includes(value as TokenEndpointAuthMethod)) invalid(AUTH_METHODS_MESSAGE[profile]);
  return value as TokenEndpointAuthMethod;
}

/** Only the code flow exists here (RFC 7591 §2.1: `code` goes with `authorization_code`). */
function readResponseTypes(value: unknown): void {
  if (value === undefined || (Array.isArray(value) && value.length === 1 && value[0] === "code")) return;
  invalid("response_types must hold code alone.");
}

function readRedirectUris(value: unknown, required: boolean): string[] {
  if (value === undefined && !required) return [];
  if (!Array.isArray(value) || (required && value.length === 0)) {
    invalid("redirect_uris must be a non-empty array for the authorization_code grant.");
  }
  if (value.length > MAX_REDIRECT_URIS) invalid("redirect_uris may hold at most 20 URIs.");
  // One bad URI refuses the whole registration: a client must not end up with half its list.
  return [...new Set(value.map((uri) => checkRedirectUri(uri)))];
}

/** Where RP-initiated logout may send the browser back: the rules of redirect URIs. */
function readPostLogoutRedirectUris(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length > MAX_REDIRECT_URIS) {
    invalid("post_logout_redirect_uris must be an array of at most 20 URIs.");
  }
  return [...new Set(value.map((uri) => checkRedirectUri(uri)))];
}

/** A true-or-false member (absent stays absent; `false` is kept as the client said it). */
function readFlag(value: unknown, description: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") invalid(description);
  return value;
}

/** OIDC Registration §2: the ID tokens' algorithm, one that a configured key signs with. */
function readIdTokenAlg(
  value: unknown,
  configured: readonly string[] | undefined,
): ClientMetadata["id_token_signed_response_alg"] {
  if (value === undefined || value === null) return undefined;
  const known = ["ES256", "EdDSA", "RS256"];
  if (
    typeof value !== "string" ||
    !known.includes(value) ||
    (configured !== undefined && !configured.includes(value))
  ) {
    invalid("id_token_signed_response_alg must be the algorithm of one of the configured signing keys.");
  }
  return value as ClientMetadata["id_token_signed_response_alg"];
}

/** The operator's scope, as given; by default the standard ones the grants can use. */
function readAdminScope(value: unknown, grantTypes: readonly GrantType[]): string {
  if (value === undefined) {
    if (!grantTypes.includes("authorization_code") && !grantTypes.includes(DEVICE_CODE_GRANT)) return "";
    return grantTypes.includes("refresh_token")
      ? ADMIN_DEFAULT_SCOPE
      : ADMIN_DEFAULT_SCOPE.replace(" offline_access", "");
  }
  if (typeof value !== "string") invalid("scope must be a space-separated string.");
  const tokens = parseScope(value);
  if (tokens === undefined) invalid("scope holds a character that RFC 6749 does not allow.");
  return formatScope(tokens);
}

/**
 * A registrant's scope: by default every scope Baton supports; a scope it does not support is
 * dropped (RFC 7591 §2 lets the server replace what was asked), but a scope of which nothing
 * is left would make a client that can ask for nothing, and is refused.
 */
function readSupportedScope(value: unknown, settings: MetadataSettings): string {
  const supported = supportedScopes(settings.extraScopes);
  if (value === undefined || value === null) return formatScope(supported);
  if (typeof value !== "string") invalid("scope must be a space-separated string.");
  const kept = supported.filter((token) => value.split(" ").includes(token));
  if (kept.length === 0) invalid("scope names no scope that this server supports.");
  return formatScope(kept);
}
