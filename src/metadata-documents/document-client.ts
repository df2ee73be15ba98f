/**
 * A client that identifies itself by the URL of its metadata document: the document is fetched
 * (within {@link DOCUMENT_BOUNDS}), checked strictly, and becomes a client record that lives in
 * a cache only, never in KV. The record has no secrets: such a client is public
 * (`token_endpoint_auth_method: "none"`) or proves itself with `private_key_jwt`.
 *
 * @see draft-ietf-oauth-client-id-metadata-document §4 (fetching, validating, caching)
 */
import { admitFetch, type FetchAsker } from "../abuse/source-limit";
import { validateClientMetadata } from "../clients/metadata";
import { metadataSettings, type SettingsSource } from "../clients/metadata-settings";
import type { ClientRecord } from "../clients/record";
import { nowSeconds } from "../clock";
import type { Config } from "../config";
import { OAuthError } from "../errors";
import { log } from "../log";
import { fetchJsonObject, type FetchBounds } from "../uri/bounded-fetch";
import { cacheDocument, cacheLifetime, readCachedDocument } from "./document-cache";

/** What fetching one document may cost: 5 KiB, 3 seconds (the draft suggests limits of the kind). */
export const DOCUMENT_BOUNDS: FetchBounds = { maxBytes: 5 * 1024, timeoutMs: 3_000 };

/** The settings a document's client depends on. */
export type DocumentSettings = SettingsSource & Pick<Config, "logLevel">;

/**
 * The client whose `client_id` is the metadata document URL `clientId`, from the cache or
 * freshly fetched; `undefined` when the document cannot be had or is not acceptable, which
 * callers treat as an unknown client. Only a fetch counts against the `asker`'s limit; a
 * document served from the cache never does.
 *
 * @throws OAuthError 429 `invalid_client` when the `asker` has caused too many fetches.
 */
export async function metadataDocumentClient(
  settings: DocumentSettings,
  clientId: string,
  asker?: FetchAsker,
): Promise<ClientRecord | undefined> {
  const cached = await readCachedDocument(clientId);
  if (cached !== undefined) {
    const outcome = await recordOf(cached.document, clientId, cached.fetchedAt, settings);
    if (outcome.ok) return outcome.record;
  }
  await admitFetch(asker);
  const fetched = await fetchJsonObject(clientId, DOCUMENT_BOUNDS);
  if (!fetched.ok) return refused(settings, clientId, fetched.reason);
  const fetchedAt = nowSeconds();
  const outcome = await recordOf(fetched.body, clientId, fetchedAt, settings);
  if (!outcome.ok) return refused(settings, clientId, outcome.reason);
  await cacheDocument(clientId, fetched.body, fetchedAt, cacheLifetime(fetched.cacheControl));
  return outcome.record;
}

type RecordOutcome = { ok: true; record: ClientRecord } | { ok: false; reason: string };

async function recordOf(
  document: Record<string, unknown>,
  clientId: string,
  fetchedAt: number,
  settings: SettingsSource,
): Promise<RecordOutcome> {
  // Compared as strings (draft §4.1): the URL was already checked to be in canonical form.
  if (document.client_id !== clientId) return { ok: false, reason: "client_id_mismatch" };
  try {
    const metadata = validateClientMetadata(document, "metadata_document", await metadataSettings(settings, document));
    return {
      ok: true,
      record: {
        client_id: clientId,
        client_id_issued_at: fetchedAt,
        ...metadata,
        secrets: [],
        client_kind: "metadata_document",
      },
    };
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    return { ok: false, reason: error.description };
  }
}

function refused(settings: DocumentSettings, clientId: string, reason: string): undefined {
  log(settings, "info", "metadata document refused", { client_id: clientId, reason });
  return undefined;
}
