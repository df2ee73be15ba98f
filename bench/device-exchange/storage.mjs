// Whether a cell wrote to Baton's storage, from the files of the server's state: a device poll
// must write nothing, and under wrangler dev every Durable Object is a SQLite database whose
// writes append to its write-ahead log, so comparing the files around a cell shows any write
// without instrumenting the Worker.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** Size and modification time of every file under `stateDir`. */
function stateFiles(stateDir) {
  const files = new Map();
  const walk = (path) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        try {
          const { size, mtimeMs } = statSync(full);
          files.set(full, { size, mtimeMs });
        } catch (error) {
          // SQLite removes its -wal and -shm files when an object closes its database.
          if (error.code !== "ENOENT") throw error;
        }
      }
    }
  };
  walk(stateDir);
  return files;
}

/** The page numbers of a write-ahead log's frames (SQLite's WAL format: 32-byte header, then frames). */
function walPages(path) {
  let bytes;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    if (error.code === "ENOENT") return [];
    throw error;
  }
  if (bytes.length < 32) return [];
  const pageSize = bytes.readUInt32BE(8);
  const pages = [];
  for (let offset = 32; offset + 24 + pageSize <= bytes.length; offset += 24 + pageSize) {
    pages.push(bytes.readUInt32BE(offset));
  }
  return pages;
}

/**
 * What happened to the objects' databases between two listings. A write appends to a database's
 * write-ahead log: an existing -wal file changes, or a new one holds frames. Opening a database
 * creates its -wal; closing one checkpoints and removes it. Under wrangler dev, Miniflare's
 * wrapper of every Durable Object records the object's name in its own table each time the
 * object starts (one frame of page 2, the same bytes again): counted apart, as a start.
 */
function storageChanges(before, after) {
  const writtenPaths = [];
  let started = 0;
  let closed = 0;
  for (const [path, now] of after) {
    if (!path.endsWith("-wal")) continue;
    const then = before.get(path);
    if (then === undefined) {
      const pages = walPages(path);
      if (pages.length === 1 && pages[0] === 2) started++;
      else if (pages.length > 0) writtenPaths.push(path);
    } else if (then.size !== now.size || then.mtimeMs !== now.mtimeMs) writtenPaths.push(path);
  }
  for (const path of before.keys()) if (path.endsWith("-wal") && !after.has(path)) closed++;
  return { written: writtenPaths.length, writtenPaths, started, closed };
}

/**
 * Runs the cell `run` between two listings of `stateDir`, prints what was written (each database
 * by its path under `stateDir`) and resolves with the cell and its `changes`.
 */
export async function watched(stateDir, run) {
  const before = stateFiles(stateDir);
  const cell = await run();
  const changes = storageChanges(before, stateFiles(stateDir));
  for (const path of changes.writtenPaths) console.log(`${"".padEnd(22)} written: ${path.slice(stateDir.length)}`);
  console.log(
    `${"".padEnd(22)} databases written: ${changes.written}; objects started ${changes.started}, closed ${changes.closed}`,
  );
  return { ...cell, changes };
}
