/**
 * Validating client metadata sent to the admin API.
 *
 * @see RFC 7591 §2 (metadata), §3.2.2 (invalid_client_metadata); redirect-uri.ts for the rules
 * each redirect URI follows
 */
import { OAuthError } from "../errors";
import { formatScope, parseScope } from "../scope";
import { readLogoutMetadata } from "./logout-metadata";
import type { ClientMetadata, GrantType, TokenEndpointAuthMethod } from "./record";
import { checkRedirectUri } from "./redirect-uri";

const GRANT_TYPES: readonly GrantType[] = ["authorization_code", "refresh_token", "client_credentials"];
const AUTH_METHODS: readonly TokenEndpointAuthMethod[] = ["client_secret_basic", "client_secret_post", "none"];
const DEFAULT_SCOPE = "openid profile email offline_access";
// Control characters and unpaired surrogates: nothing a person means to type, and text that a
// consent page, a log line or a UTF-8 encoder would each render differently. Format characters
// (bidirectional overrides and isolates, zero-width spaces and joiners, soft hyphens) are
// invisible yet change what a consent page shows: after U+202E, "App" + "gnp.exe" reads as
// "Appexe.png", and a zero-width space makes another name look exactly like "GitHub".
const UNPRINTABLE = /[\p{Cc}\p{Cs}\p{Cf}]/u;

function invalid(description: string): never {
  throw new OAuthError("invalid_client_metadata", description);
}

/**
 * Checks metadata and fills RFC 7591 defaults (`grant_types: ["authorization_code"]`,
 * `token_endpoint_auth_method: "client_secret_basic"`). Unknown members are ignored.
 *
 * @throws OAuthError 400 `invalid_redirect_uri` for a redirect URI that breaks the rules of
 * {@link checkRedirectUri}, else 400 `invalid_client_metadata` naming the member at fault.
 * @see RFC 7591 §3.2.2
 */
export function validateClientMetadata(input: Record<string, unknown>): ClientMetadata {
  const grantTypes = readGrantTypes(input.grant_types);
  const method = readAuthMethod(input.token_endpoint_auth_method);
  if (grantTypes.includes("client_credentials") && method === "none") {
    invalid("client_credentials needs a confidential client (token_endpoint_auth_method other than none).");
  }
  if (grantTypes.includes("refresh_token") && !grantTypes.includes("authorization_code")) {
    invalid("refresh_token needs authorization_code, which is where refresh tokens come from.");
  }
  const redirectUris = readRedirectUris(input.redirect_uris, grantTypes.includes("authorization_code"));
  const metadata: ClientMetadata = {
    redirect_uris: redirectUris,
    grant_types: grantTypes,
    token_endpoint_auth_method: method,
    scope: readScope(input.scope, grantTypes),
  };
  const name = readOptionalText(input.client_name, "client_name");
  if (name !== undefined) metadata.client_name = name;
  const organization = readOptionalText(input.organization_id, "organization_id");
  if (organization !== undefined) metadata.organization_id = organization;
  Object.assign(metadata, readLogoutMetadata(input));
  return metadata;
}

function readGrantTypes(value: unknown): GrantType[] {
  if (value === undefined) return ["authorization_code"];
  if (!Array.isArray(value) || value.length === 0) invalid("grant_types must be a non-empty array.");
  const unique = new Set<GrantType>();
  for (const entry of value) {
    if (!GRANT_TYPES.includes(entry as GrantType)) {
      invalid("grant_types may hold only authorization_code, refresh_token and client_credentials.");
    }
    unique.add(entry as GrantType);
  }
  return [...unique];
}

function readAuthMethod(value: unknown): TokenEndpointAuthMethod {
  if (value === undefined) return "client_secret_basic";
  if (!AUTH_METHODS.includes(value as TokenEndpointAuthMethod)) {
    invalid("token_endpoint_auth_method must be client_secret_basic, client_secret_post or none.");
  }
  return value as TokenEndpointAuthMethod;
}

function readRedirectUris(value: unknown, required: boolean): string[] {
  if (value === undefined && !required) return [];
  if (!Array.isArray(value) || (required && value.length === 0)) {
    invalid("redirect_uris must be a non-empty array for the authorization_code grant.");
  }
  if (value.length > 20) invalid("redirect_uris may hold at most 20 URIs.");
  return [...new Set(value.map((uri) => checkRedirectUri(uri)))];
}

function readScope(value: unknown, grantTypes: readonly GrantType[]): string {
  if (value === undefined) {
    if (!grantTypes.includes("authorization_code")) return "";
    return grantTypes.includes("refresh_token") ? DEFAULT_SCOPE : DEFAULT_SCOPE.replace(" offline_access", "");
  }
  if (typeof value !== "string") invalid("scope must be a space-separated string.");
  const tokens = parseScope(value);
  if (tokens === undefined) invalid("scope holds a character that RFC 6749 does not allow.");
  return formatScope(tokens);
}

function readOptionalText(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value.length === 0 || value.length > 200 || UNPRINTABLE.test(value)) {
    invalid(`${name} must be a string of 1 to 200 printable characters.`);
  }
  return value;
}
