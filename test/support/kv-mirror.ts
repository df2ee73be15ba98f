/**
 * Rows a Durable Object's key-value calls read and write, as Cloudflare bills them. The
 * key-value API reports no row counts, so each call is replayed on a mirror table of the same
 * shape in the same object (`_cf_KV`'s: `key TEXT PRIMARY KEY, value BLOB`, WITHOUT ROWID), with
 * the statements workerd runs for it (src/workerd/util/sqlite-kv.h), and the mirror's cursor
 * counts are taken. The mirror holds the keys only: values do not change the rows counted.
 */

/** The mirror table's name, beside the object's own tables. */
const MIRROR = "meter_kv_mirror";

type Exec = SqlStorage["exec"];

/** Starts the object's mirror afresh, holding `keys` (what the object holds now). */
export function startMirror(exec: Exec, sql: SqlStorage, keys: readonly string[]): void {
  exec.call(sql, `DROP TABLE IF EXISTS ${MIRROR}`);
  ensureMirror(exec, sql);
  for (const key of keys) exec.call(sql, `INSERT INTO ${MIRROR} VALUES(?, x'')`, key);
}

/**
 * Replays one key-value call (`get`, `put`, `delete`, `list`, or `count` for what `deleteAll`
 * runs first) on the mirror; the rows it read and wrote. `exec` is the runtime's own, not an
 * instrumented one.
 */
export function replayOnMirror(
  exec: Exec,
  sql: SqlStorage,
  call: string,
  args: unknown[],
): { read: number; written: number } {
  ensureMirror(exec, sql);
  const run = (query: string, ...bindings: unknown[]) => {
    const cursor = exec.call(sql, query, ...bindings);
    cursor.toArray();
    return { read: cursor.rowsRead, written: cursor.rowsWritten };
  };
  // Until the object's first write there is no _cf_KV table, and workerd answers a read without
  // running any statement.
  if (call === "get" || call === "list" || call === "count") {
    const table = exec.call(sql, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_cf_KV'");
    if (table.toArray().length === 0) return { read: 0, written: 0 };
  }
  switch (call) {
    case "get":
      return run(`SELECT value FROM ${MIRROR} WHERE key = ?`, args[0]);
    case "put":
      return run(`INSERT INTO ${MIRROR} VALUES(?, x'') ON CONFLICT DO UPDATE SET value = excluded.value`, args[0]);
    case "delete":
      return run(`DELETE FROM ${MIRROR} WHERE key = ?`, args[0]);
    case "count":
      return run(`SELECT count(*) FROM ${MIRROR}`);
    case "list":
      return run(...listQuery((args[0] ?? {}) as SyncKvListOptions));
    default:
      throw new Error(`no mirror for ${call}`);
  }
}

/** The query workerd runs for a `list()` with these options, with its bindings. */
function listQuery(options: SyncKvListOptions): [string, ...unknown[]] {
  const begin = options.startAfter !== undefined ? options.startAfter + "\0" : (options.start ?? options.prefix ?? "");
  const end =
    options.end ?? (options.prefix === undefined || options.prefix === "" ? undefined : prefixEnd(options.prefix));
  const order = options.reverse === true ? "DESC" : "";
  const where = end === undefined ? "key >= ?" : "key >= ? AND key < ?";
  const limit = options.limit === undefined ? "" : "LIMIT ?";
  const bindings = [
    begin,
    ...(end === undefined ? [] : [end]),
    ...(options.limit === undefined ? [] : [options.limit]),
  ];
  return [`SELECT * FROM ${MIRROR} WHERE ${where} ORDER BY key ${order} ${limit}`, ...bindings];
}

/** The first string after every string that starts with `prefix`. */
function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

function ensureMirror(exec: Exec, sql: SqlStorage): void {
  exec.call(sql, `CREATE TABLE IF NOT EXISTS ${MIRROR} (key TEXT PRIMARY KEY, value BLOB) WITHOUT ROWID`);
}
