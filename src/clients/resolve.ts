/**
 * Finding the client a presented `client_id` names: a record in KV (admin API, dynamic
 * registration), or, while metadata documents are on, the document at a `client_id` that is
 * its URL. Registered ids are never URLs, so the two cannot name the same client.
 *
 * @see draft-ietf-oauth-client-id-metadata-document §3
 */
import type { Config } from "../config";
import type { Env } from "../env";
import { metadataDocumentClient, type DocumentSettings } from "../metadata-documents/document-client";
import { isMetadataDocumentUrl } from "../metadata-documents/document-url";
import type { ClientRecord } from "./record";
import { getClient } from "./store";

/** The settings client lookups depend on. */
export type ResolveSettings = DocumentSettings & Pick<Config, "clientMetadataDocuments">;

/**
 * The client `clientId` names; `undefined` when there is none (or its document is unusable).
 * `source`, the address of a request that named the client itself, has the document fetches it
 * causes counted (see {@link metadataDocumentClient}); without it, none are.
 *
 * @throws OAuthError 429 when `source` has caused too many document fetches.
 */
export async function resolveClient(
  env: Pick<Env, "CLIENTS" | "DOCUMENT_FETCH_LIMITER">,
  settings: ResolveSettings,
  clientId: string,
  source?: string,
): Promise<ClientRecord | undefined> {
  if (settings.clientMetadataDocuments && isMetadataDocumentUrl(clientId, settings.clientMetadataAllowLoopback)) {
    const asker = source === undefined ? undefined : { limiter: env.DOCUMENT_FETCH_LIMITER, source };
    return metadataDocumentClient(settings, clientId, asker);
  }
  return getClient(env.CLIENTS, clientId);
}
