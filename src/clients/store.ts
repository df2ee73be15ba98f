/**
 * Client records in KV, under `client:<client_id>`, and a short per-isolate cache of them.
 * KV is eventually consistent (about 60 s between locations), which suits records that change
 * rarely. Every change goes through the client's registry object; only a dynamic registration's
 * first write comes straight here (clients/register.ts).
 */
import { nowSeconds } from "../clock";
import type { ClientRecord } from "./record";

const PREFIX = "client:";
const UNPAIRED_SURROGATE = /\p{Cs}/u;

// Shorter than KV's own propagation delay, so caching adds no staleness that KV does not already
// allow; admin changes made through this isolate evict at once.
const CACHE_MS = 30_000;
const CACHE_MAX = 1_000;
// KV's shortest time to live.
const MIN_TTL_SECONDS = 60;
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
    // A registration that ends sooner leaves the cache when it ends.
    const ends = record.unconfirmed_until === undefined ? Infinity : record.unconfirmed_until * 1000;
    cache.set(clientId, { record, expires: Math.min(Date.now() + CACHE_MS, ends) });
  }
  return record;
}

/** Drops a cached record, after a change to it. */
export function forgetClient(clientId: string): void {
  cache.delete(clientId);
}

/** Reads a client record straight from KV; `undefined` too once its registration has ended. */
export async function readClientRecord(kv: KVNamespace, clientId: string): Promise<ClientRecord | undefined> {
  const record = await fetchClientRecord(kv, clientId);
  return record === undefined || hasEnded(record) ? undefined : record;
}

/** The record KV holds for `clientId`, ended or not; `undefined` when it holds none. */
export async function fetchClientRecord(kv: KVNamespace, clientId: string): Promise<ClientRecord | undefined> {
  // An id longer than any Baton issues cannot exist; refusing it spares a KV read (and KV's
  // 512-byte key limit). An unpaired surrogate has no UTF-8 form, so no key can hold one.
  if (clientId.length > 128 || UNPAIRED_SURROGATE.test(clientId)) return undefined;
  return (await kv.get<ClientRecord>(PREFIX + clientId, "json")) ?? undefined;
}

/**
 * Whether `record` is a dynamic registration whose time ran out with no login. KV deletes such
 * a record by itself, but only around that time: from the second it ends, it counts as gone.
 */
export function hasEnded(record: Pick<ClientRecord, "unconfirmed_until">): boolean {
  return record.unconfirmed_until !== undefined && record.unconfirmed_until <= nowSeconds();
}

/**
 * Writes a client record to KV; one with `unconfirmed_until` expires then, so a registration
 * nobody signs in with needs nobody to delete it.
 */
export async function writeClientRecord(kv: KVNamespace, record: ClientRecord): Promise<void> {
  const until = record.unconfirmed_until;
  // Relative to KV's own clock, which refuses an absolute time less than a minute ahead of it.
  const options = until === undefined ? undefined : { expirationTtl: Math.max(until - nowSeconds(), MIN_TTL_SECONDS) };
  await kv.put(PREFIX + record.client_id, JSON.stringify(record), options);
}

/** Deletes a client record from KV. */
export async function deleteClientRecord(kv: KVNamespace, clientId: string): Promise<void> {
  await kv.delete(PREFIX + clientId);
}
