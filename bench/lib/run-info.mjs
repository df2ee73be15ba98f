// What a benchmark run says about where it ran, and what it needs before it can: the machine
// and the versions measured, the benchmark's own packages, and its command line.
import { execFileSync, execSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { BENCH_ROOT, REPO_ROOT } from "./paths.mjs";

/** The machine and the versions of everything measured, for the results file. */
export function machine() {
  const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? "unknown";
  const version = (pkg, base = REPO_ROOT) => {
    try {
      return JSON.parse(readFileSync(join(base, "node_modules", pkg, "package.json"), "utf8")).version;
    } catch {
      return undefined;
    }
  };
  return {
    date: new Date().toISOString(),
    nproc: os.availableParallelism(),
    cpuModel: model,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    node: process.version,
    wrangler: version("wrangler"),
    miniflare: version("miniflare"),
    workerd: version("workerd"),
    jose: version("jose"),
    workersOauthProvider: version("@cloudflare/workers-oauth-provider", BENCH_ROOT),
    oidcProvider: version("oidc-provider", BENCH_ROOT),
    // BATON_REVISION names the code when it is not a git checkout (a snapshot, say).
    batonCommit: process.env.BATON_REVISION ?? gitCommit(),
    // Every runtime's state (Durable Objects' SQLite files, KV, Redis's append-only file) lives
    // under the temporary directory: TMPDIR=/dev/shm puts it in memory, where an fsync is free.
    stateDir: { path: os.tmpdir(), filesystem: filesystemOf(os.tmpdir()) },
  };
}

/** The type of the file system `path` is on (ext4, tmpfs), from the longest mount over it. */
function filesystemOf(path) {
  try {
    let best = { point: "", type: undefined };
    for (const line of readFileSync("/proc/mounts", "utf8").split("\n")) {
      const [, point, type] = line.split(" ");
      if (point === undefined) continue;
      const covers = path === point || path.startsWith(point.endsWith("/") ? point : `${point}/`);
      if (covers && point.length > best.point.length) best = { point, type };
    }
    return best.type;
  } catch {
    return undefined;
  }
}

function gitCommit() {
  try {
    const head = execSync("git rev-parse --short HEAD", { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
    const dirty = execSync("git status --porcelain -- src wrangler.toml", { cwd: REPO_ROOT }).toString().trim() !== "";
    return dirty ? `${head}+changes` : head;
  } catch {
    return undefined;
  }
}

/** Installs bench/'s own packages when they are missing or older than its lock file. */
export function ensureDependencies() {
  if (!existsSync(join(REPO_ROOT, "node_modules/wrangler"))) {
    console.error("The repository's own packages are missing: run `npm ci` at the root first.");
    process.exit(1);
  }
  const lock = join(BENCH_ROOT, "package-lock.json");
  const installed = join(BENCH_ROOT, "node_modules/.package-lock.json");
  if (existsSync(installed) && (!existsSync(lock) || statSync(installed).mtimeMs >= statSync(lock).mtimeMs)) return;
  const command = existsSync(lock) ? "ci" : "install";
  console.log(`installing the benchmark's packages (npm --prefix bench ${command})`);
  execFileSync("npm", ["--prefix", BENCH_ROOT, command, "--no-audit", "--no-fund"], { stdio: "inherit" });
}

export function parseArgs(argv) {
  const parsed = {};
  for (const arg of argv) {
    const match = /^--([^=]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new Error(`unknown argument ${arg}`);
    parsed[match[1]] = match[2] ?? true;
  }
  return parsed;
}

export function list(value, fallback) {
  return value === undefined ? fallback : String(value).split(",").map(Number);
}

/** A flag's value as a whole number of at least 1 (`--slices=2.5` would cut cells unevenly). */
export function positiveInteger(name, value) {
  const number = value === true ? NaN : Number(value);
  if (!Number.isInteger(number) || number < 1) throw new Error(`--${name} must be a whole number of at least 1`);
  return number;
}

/**
 * Runs the floor's phase of a run whose own figures are already in `results`: its figures go to
 * `results.floor`, or its failure to `results.floorError`, so a failing floor keeps the rest.
 */
export async function recordFloorPhase(results, run) {
  try {
    results.floor = await run();
  } catch (error) {
    results.floorError = String(error);
    console.log(`floor phase failed: ${error}`);
  }
}
