/**
 * The stored shape of a client: RFC 7591 metadata plus secret hashes.
 *
 * @see RFC 7591 §2 (client metadata)
 */

/** The device authorization grant's type. @see RFC 8628 §3.4 */
export const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
/** The token exchange grant's type. @see RFC 8693 §2.1 */
export const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";

/** Grant types a client may be registered for. */
export type GrantType =
  | "authorization_code"
  | "refresh_token"
  | "client_credentials"
  | typeof DEVICE_CODE_GRANT
  | typeof TOKEN_EXCHANGE_GRANT;

/** How a client authenticates at the token endpoint. @see RFC 7591 §2, RFC 7523 §2.2 */
export type TokenEndpointAuthMethod = "client_secret_basic" | "client_secret_post" | "none" | "private_key_jwt";

/**
 * Where a client's record comes from: the admin API, dynamic registration (RFC 7591), or a
 * Client ID Metadata Document fetched from its `client_id` URL. A consent screen shows the
 * last two differently: nobody vouched for them.
 */
export type ClientKind = "registered" | "dynamic" | "metadata_document";

/** A JWK Set of public keys, for `private_key_jwt` (RFC 7517 §5). */
export interface PublicJwkSet {
  keys: Record<string, unknown>[];
}

/** One live client secret, stored only as its SHA-256. */
export interface StoredSecret {
  id: string;
  /** base64url SHA-256 of the secret. */
  hash: string;
  /** Seconds since the epoch. */
  created_at: number;
}

/** Client metadata as registered through the admin API. */
export interface ClientMetadata {
  client_name?: string;
  redirect_uris: string[];
  grant_types: GrantType[];
  token_endpoint_auth_method: TokenEndpointAuthMethod;
  /** The scopes the client may ask for, space-separated. */
  scope: string;
  organization_id?: string;
  application_type?: "web" | "native";
  client_uri?: string;
  logo_uri?: string;
  contacts?: string[];
  software_id?: string;
  software_version?: string;
  post_logout_redirect_uris?: string[];
  /** Where Baton POSTs a logout token when one of the client's grants ends (Back-Channel Logout). */
  backchannel_logout_uri?: string;
  /** Whether the client needs `sid` in its logout tokens; Baton always sends it. */
  backchannel_logout_session_required?: boolean;
  /** `private_key_jwt` keys, given inline... */
  jwks?: PublicJwkSet;
  /** ...or where to fetch them (https). */
  jwks_uri?: string;
  /** RFC 9449 §5.2: the client always proves a key, so a bearer token request is refused. */
  dpop_bound_access_tokens?: boolean;
  /** The algorithm its ID tokens are signed with (OIDC Registration §2); RS256 for some clients. */
  id_token_signed_response_alg?: "ES256" | "EdDSA" | "RS256";
}

/** The record kept in KV under `client:<client_id>`. */
export interface ClientRecord extends ClientMetadata {
  client_id: string;
  /** Seconds since the epoch. */
  client_id_issued_at: number;
  secrets: StoredSecret[];
  /** Absent on records made before kinds existed: those came from the admin API. */
  client_kind?: ClientKind;
  /**
   * A dynamic registration no login has completed for yet ends then (seconds since the epoch):
   * KV deletes the record by itself, and readers treat it as gone from that second. The first
   * completed login removes the member, and the record stays.
   */
  unconfirmed_until?: number;
}

/** Whether the client authenticates itself (RFC 6749 §2.1 "confidential"): by secret or key. */
export function isConfidential(client: Pick<ClientMetadata, "token_endpoint_auth_method">): boolean {
  return client.token_endpoint_auth_method !== "none";
}

/** Whether the client authenticates with a shared secret (and so must keep at least one). */
export function usesSecret(client: Pick<ClientMetadata, "token_endpoint_auth_method">): boolean {
  return (
    client.token_endpoint_auth_method === "client_secret_basic" ||
    client.token_endpoint_auth_method === "client_secret_post"
  );
}

/** The kind of a record, `registered` for those made before kinds existed. */
export function kindOf(client: Pick<ClientRecord, "client_kind">): ClientKind {
  return client.client_kind ?? "registered";
}
