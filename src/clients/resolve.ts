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

/** The client `clientId` names; `undefined` when there is none (or its document is unusable). */
export async function resolveClient(
  env: Pick<Env, "CLIENTS">,
  settings: ResolveSettings,
  clientId: string,
): Promise<ClientRecord | undefined> {
  if (settings.clientMetadataDocuments && isMetadataDocumentUrl(clientId, settings.clientMetadataAllowLoopback)) {
    return metadataDocumentClient(settings, clientId);
  }
  return getClient(env.CLIENTS, clientId);
}
