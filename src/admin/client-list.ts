/**
 * `GET /admin/clients?limit=N&cursor=C`: every client's metadata, a page at a time, in the order
 * KV lists its keys. KV is eventually consistent: a client created or deleted a moment ago, in
 * another location, may be missing or still listed; `GET /admin/clients/ID` is authoritative.
 */
import { readClientRecord } from "../clients/store";
import type { Env } from "../env";
import { invalidRequest } from "../errors";
import { jsonResponse } from "../http/json-response";
import { describeClient } from "./clients";

const PREFIX = "client:";
const DEFAULT_LIMIT = 100;
// KV's own ceiling for one list call.
const MAX_LIMIT = 1000;

/** 200 `{"clients": [...], "cursor": "..." | null}`. */
export async function listClients(env: Env, url: URL): Promise<Response> {
  const limit = readLimit(url.searchParams.get("limit"));
  const cursor = url.searchParams.get("cursor") ?? undefined;
  let page: KVNamespaceListResult<unknown>;
  try {
    page = await env.CLIENTS.list({ prefix: PREFIX, limit, ...(cursor !== undefined && cursor !== "" && { cursor }) });
  } catch {
    // KV refuses a cursor it did not make; that is the caller's mistake, not a server error.
    invalidRequest("The cursor is not one this API gave out.");
  }
  const records = await Promise.all(
    page.keys.map((key) => readClientRecord(env.CLIENTS, key.name.slice(PREFIX.length))),
  );
  return jsonResponse({
    clients: records.flatMap((record) => (record === undefined ? [] : [describeClient(record)])),
    cursor: page.list_complete ? null : page.cursor,
  });
}

function readLimit(text: string | null): number {
  if (text === null || text === "") return DEFAULT_LIMIT;
  if (!/^\d{1,4}$/.test(text) || Number(text) < 1 || Number(text) > MAX_LIMIT) {
    invalidRequest(`limit must be a whole number from 1 to ${MAX_LIMIT}.`);
  }
  return Number(text);
}
