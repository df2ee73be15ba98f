// What Baton keeps on disk under Miniflare, per object: each Durable Object is its own SQLite
// database (state/do/<script>-<Class>/<id>.sqlite), read here through node:sqlite.
//   size:    page_count × page_size, what `ctx.storage.sql.databaseSize` reports and Cloudflare
//            bills as stored data (empty tables and SQLite's own pages included);
//   payload: the keys and values Baton wrote (the storage API's _cf_KV table).
// KV values are blob files (state/kv/<namespace>/blobs), measured by their size.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";

/** Average size and payload of the objects of each class (at most `sample` of each read). */
export function objectBytes(stateDir, sample = 300) {
  const root = join(stateDir, "do");
  const classes = {};
  if (!existsSync(root)) return classes;
  for (const dir of readdirSync(root)) {
    const files = readdirSync(join(root, dir)).filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
    let size = 0;
    let payload = 0;
    const read = files.slice(0, sample);
    for (const file of read) {
      const db = new DatabaseSync(join(root, dir, file), { readOnly: true });
      try {
        size += db.prepare("PRAGMA page_count").get().page_count * db.prepare("PRAGMA page_size").get().page_size;
        const row = db.prepare("SELECT SUM(LENGTH(key)) + SUM(LENGTH(value)) AS bytes FROM _cf_KV").get();
        payload += row.bytes ?? 0;
      } finally {
        db.close();
      }
    }
    classes[dir.replace(/^.*-/, "")] = {
      objects: files.length,
      size: Math.round(size / Math.max(1, read.length)),
      payload: Math.round(payload / Math.max(1, read.length)),
    };
  }
  return classes;
}

/** Count and average size of the KV values on disk. */
export function kvBytes(stateDir) {
  const root = join(stateDir, "kv");
  let count = 0;
  let bytes = 0;
  const walk = (path) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (path.endsWith("blobs")) {
        count++;
        bytes += statSync(full).size;
      }
    }
  };
  if (existsSync(root)) walk(root);
  return { values: count, size: Math.round(bytes / Math.max(1, count)) };
}
