/**
 * The stored shape of a client: RFC 7591 metadata plus secret hashes.
 *
 * @see RFC 7591 §2 (client metadata)
 */

/** Grant types a client may be registered for. */
export type GrantType = "authorization_code" | "refresh_token" | "client_credentials";

/** How a client authenticates at the token endpoint. @see RFC 7591 §2 */
export type TokenEndpointAuthMethod = "client_secret_basic" | "client_secret_post" | "none";

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
}

/** The record kept in KV under `client:<client_id>`. */
export interface ClientRecord extends ClientMetadata {
  client_id: string;
  /** Seconds since the epoch. */
  client_id_issued_at: number;
  secrets: StoredSecret[];
}

/** Whether the client has secrets (RFC 6749 §2.1 "confidential"). */
export function isConfidential(client: ClientMetadata): boolean {
  return client.token_endpoint_auth_method !== "none";
}
