/**
 * Client records in KV, under `client:<client_id>`, and a short per-isolate cache of them.
 * KV is eventually consistent (about 60 s between locations), which suits records that change
 * rarely; every write goes through the client's registry object, never straight here.
 */
import type { ClientRecord } from "./record";

const PREFIX = "client:";
const UNPAIRED_SURROGATE = /\p{Cs}/u;

// Shorter than KV's own propagation delay, so caching adds no staleness that KV does not already
// allow; admin changes made through this isolate evict at once.
const CACHE_MS = 30_000;
const CACHE_MAX = 1_000;
const cache = new Map<string, { record: ClientRecord; expires: number }>();

/**
 * Reads a client record for the hot paths (token, authorize, userinfo, introspection), from this
 * isolate's cache when fresh; `undefined` when there is none. Unknown ids are not cached.
 */
export async function getClient(kv: KVNamespace, clientId: string): Promise<ClientRecord | undefined> {
  const hit = cache.get(clientId);
  if (hit !== undefined && hit.expires > Date.now()) return hit.record;
  const record = await readClientRecord(kv, clientId);
  if (record === undefined) cache.delete(clientId);
  else {
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
    cache.set(clientId, { record, expires: Date.now() + CACHE_MS });
  }
  return record;
}

/** Drops a cached record, after a change to it. */
export function forgetClient(clientId: string): void {
  cache.delete(clientId);
}

/** Reads a client record straight from KV. */
export async function readClientRecord(kv: KVNamespace, clientId: string): Promise<ClientRecord | undefined> {
  // An id longer than any Baton issues cannot exist; refusing it spares a KV read (and KV's
  // 512-byte key limit). An unpaired surrogate has no UTF-8 form, so no key can hold one.
  if (clientId.length > 128 || UNPAIRED_SURROGATE.test(clientId)) return undefined;
  const record = await kv.get<ClientRecord>(PREFIX + clientId, "json");
  return record ?? undefined;
}

/** Writes a client record to KV. */
export async function writeClientRecord(kv: KVNamespace, record: ClientRecord): Promise<void> {
  await kv.put(PREFIX + record.client_id, JSON.stringify(record));
}

/** Deletes a client record from KV. */
export async function deleteClientRecord(kv: KVNamespace, clientId: string): Promise<void> {
  await kv.delete(PREFIX + clientId);
}
