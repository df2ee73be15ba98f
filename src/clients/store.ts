/**
 * Client records in KV, under `client:<client_id>`. KV is eventually consistent, which suits
 * records that change rarely; nothing that needs compare-and-set lives here.
 */
import type { ClientRecord } from "./record";

const PREFIX = "client:";
const UNPAIRED_SURROGATE = /\p{Cs}/u;

/** Reads a client record; `undefined` when there is none. */
export async function getClient(kv: KVNamespace, clientId: string): Promise<ClientRecord | undefined> {
  // An id longer than any Baton issues cannot exist; refusing it spares a KV read (and KV's
  // 512-byte key limit). An unpaired surrogate has no UTF-8 form, so no key can hold one.
  if (clientId.length > 128 || UNPAIRED_SURROGATE.test(clientId)) return undefined;
  const record = await kv.get<ClientRecord>(PREFIX + clientId, "json");
  return record ?? undefined;
}

/** Writes a client record. */
export async function putClient(kv: KVNamespace, record: ClientRecord): Promise<void> {
  await kv.put(PREFIX + record.client_id, JSON.stringify(record));
}

/** Deletes a client record. */
export async function deleteClient(kv: KVNamespace, clientId: string): Promise<void> {
  await kv.delete(PREFIX + clientId);
}
