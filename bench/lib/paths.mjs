// Where things are: the repository root, and the Node 22 that the root's node_modules ships
// (wrangler and Miniflare need 22; the system's Node may be older).
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";

/** The repository's root directory. */
export const REPO_ROOT = resolve(import.meta.dirname, "../..");

/** The benchmark's own directory. */
export const BENCH_ROOT = resolve(import.meta.dirname, "..");

/**
 * A new results file's path in bench/results/ (created if missing, never committed), named
 * `<prefix><the time now><suffix>.json`.
 */
export function resultsFile(prefix = "", suffix = "") {
  const dir = join(BENCH_ROOT, "results");
  mkdirSync(dir, { recursive: true });
  return join(dir, `${prefix}${new Date().toISOString().replace(/[:.]/g, "-")}${suffix}.json`);
}

const shipped = join(REPO_ROOT, "node_modules/.bin/node");

/** The Node binary for servers: the root's node_modules/.bin/node when present. */
export const NODE = existsSync(shipped) ? shipped : process.execPath;
