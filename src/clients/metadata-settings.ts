/**
 * The configuration client metadata is checked against, for the admin API, open registration
 * and metadata documents alike.
 *
 * @see RFC 7591 §2 (client metadata), OpenID Connect Dynamic Client Registration 1.0 §2
 */
import type { Config } from "../config";
import { loadSigningKeys } from "../tokens/keys";
import type { MetadataSettings } from "./metadata";

/** The part of the configuration that {@link metadataSettings} reads. */
export type SettingsSource = Pick<Config, "extraScopes" | "clientMetadataAllowLoopback" | "signingKeys">;

/**
 * What validating `input` needs of `config`; the signing keys' algorithms only when the
 * metadata names one for its ID tokens, so that a client can be registered before keys are and
 * a registration that names none never imports a key.
 */
export async function metadataSettings(
  config: SettingsSource,
  input: Record<string, unknown>,
): Promise<MetadataSettings> {
  const settings = { extraScopes: config.extraScopes, clientMetadataAllowLoopback: config.clientMetadataAllowLoopback };
  if (input.id_token_signed_response_alg === undefined || input.id_token_signed_response_alg === null) return settings;
  const keys = await loadSigningKeys(config.signingKeys);
  return { ...settings, signingAlgorithms: keys.all.map((key) => key.alg) };
}
