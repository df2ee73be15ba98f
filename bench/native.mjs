#!/usr/bin/env node
// Where the runtime's own CPU goes, below JavaScript:
//   npm run bench:native -- [--route=floor/refresh] [--concurrency=10] [--duration=5] [--live=N] [--frequency=2999] [--rows=25] [--save=FILE]
// Runs one route's chains (a route of Baton's or of the floor worker's: baton/…, floor/…,
// trivial/…) under Miniflare directly, samples the Worker's workerd process with Linux perf
// (`perf record` of the cpu-clock software event, which works in a VM without hardware counters)
// while they run, and prints that process's CPU per operation three ways: by activity (the
// innermost frame of a sample's stack that names one: the objects' storage and its fsync,
// WebCrypto, V8's heap, the RPC to the object, HTTP, workerd's bindings, JavaScript; a kernel
// sample under none of them by its system call), by component (the leaf's own code: V8, KJ,
// SQLite, BoringSSL, tcmalloc, libc, the kernel) and by symbol. A V8 profile (profile.mjs) sees
// JavaScript only; this sees everything the process spends.
// `--live=N` first opens N more chains of the route that are never measured, so that the
// measured ones run beside N live objects (what a hot refresh pays for its neighbours).
// `--save=FILE` keeps perf's recording for `perf report -i FILE`.
// Needs perf (Debian's linux-perf) and permission to sample the process and the kernel's
// frames (root, or kernel.perf_event_paranoid ≤ 1 and kernel.kptr_restrict 0).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { basename, join } from "node:path";
import { mapBounded } from "../scripts/map-bounded.mjs";
import { httpClient } from "./lib/http.mjs";
import { profiledBudget, profiledCell } from "./lib/measure.mjs";
import { classify } from "./lib/proc.mjs";
import { activityOf, componentOf, COMPONENTS, normalize } from "./lib/native-components.mjs";
import { machine, parseArgs } from "./lib/run-info.mjs";
import { baton } from "./targets/baton.mjs";
import { ceiling } from "./targets/ceiling.mjs";

const args = parseArgs(process.argv.slice(2));
const routeId = String(args.route ?? "floor/refresh");
const concurrency = Number(args.concurrency ?? 10);
const durationMs = Number(args.duration ?? 5) * 1000;
const frequency = Number(args.frequency ?? 2999);
const rows = Number(args.rows ?? 25);
const live = Number(args.live ?? 0);
const system = routeId.startsWith("baton/") ? baton : ceiling;
const route = system.routes.find((r) => r.id === routeId);
if (!route) {
  throw new Error(`unknown route ${routeId}; one of ${[...baton.routes, ...ceiling.routes].map((r) => r.id)}`);
}
const version = spawnSync("perf", ["--version"], { encoding: "utf8" });
if (version.status !== 0) {
  throw new Error(`perf does not run (Debian: apt-get install linux-perf): ${version.stderr?.trim() ?? version.error}`);
}

const workDir = mkdtempSync(join(os.tmpdir(), "baton-native-"));
const data = typeof args.save === "string" ? args.save : join(workDir, "perf.data");
const server = await system.start("miniflare", { workDir, algorithm: "ES256" });
try {
  const client = httpClient(server.url, 4);
  const ctx = await system.prepare(server, client);
  client.close();
  if (live > 0) await openLive(ctx, route.budgeted ? profiledBudget(durationMs, concurrency) : undefined);
  let recorder;
  // The profiler starts once the measured cell's chains are open.
  const beforeRun = () => {
    const workers = classify(server.root).filter((p) => p.role === "worker");
    if (workers.length !== 1) throw new Error(`expected one workerd process, found ${workers.length}`);
    recorder = record(workers[0].pid, data);
    return recorder.started;
  };
  const cell = await profiledCell({ server, route, ctx, concurrency, durationMs, beforeRun });
  await recorder.stop();
  report(cell, readSamples(data));
} finally {
  await server.stop();
  rmSync(workDir, { recursive: true, force: true });
}

/** Opens `--live` chains that are never measured, eight at a time. */
async function openLive(ctx, budget) {
  const opener = httpClient(server.url, 8);
  let opened = 0;
  const indices = Array.from({ length: live }, (_, i) => concurrency + i);
  await mapBounded(indices, 8, async (index) => {
    await route.openChain(opener, ctx, index, { concurrency, budget });
    if (++opened % 10_000 === 0) console.log(`  ${opened} live chains`);
  });
  opener.close();
}

/** Prints the tables, in µs of workerd CPU per operation (a login is its three requests). */
function report(cell, { byActivity, byComponent, bySymbol, nanoseconds }) {
  const micros = (ns) => ns / 1000 / cell.requests;
  const perOperation = (ns) => micros(ns).toFixed(1).padStart(8);
  const share = (ns) => `${((100 * ns) / nanoseconds).toFixed(1).padStart(5)}%`;
  const fromProc = cell.cpuMsPerRequest.worker * 1000;
  const { stateDir } = machine();
  console.log(
    `${route.label} under Miniflare, c=${concurrency}, ${(durationMs / 1000).toFixed(0)} s: ${cell.rps.toFixed(0)} operations/s; ` +
      `workerd CPU ${fromProc.toFixed(0)} µs per operation (from /proc), perf ${micros(nanoseconds).toFixed(0)}; ` +
      (live > 0 ? `beside ${live} live chains; ` : "") +
      `other processes ${cell.otherCores.toFixed(2)} cores; state on ${stateDir.filesystem ?? "?"} (${stateDir.path})`,
  );
  // perf samples from just before the load starts until it has drained: a little more than the
  // window /proc measures, so the two agree within a few percent when nothing is wrong.
  if (Math.abs(micros(nanoseconds) / fromProc - 1) > 0.1) {
    console.log("warning: perf and /proc differ by more than 10%: samples were lost or throttled");
  }
  console.log("\nµs per operation by activity (the innermost frame that names one; the kernel by its entry)");
  for (const [activity, ns] of top(byActivity, rows)) console.log(`${perOperation(ns)}  ${share(ns)}  ${activity}`);
  console.log("\nµs per operation by component (self time)");
  for (const [component, ns] of top(byComponent, COMPONENTS.length)) {
    console.log(`${perOperation(ns)}  ${share(ns)}  ${component}`);
  }
  console.log("\nµs per operation by symbol (self time)");
  for (const [symbol, ns] of top(bySymbol, rows)) console.log(`${perOperation(ns)}  ${symbol}`);
}

/** Starts `perf record` on one process (every thread); `started` resolves once it samples. */
function record(pid, output) {
  const argv = ["record", "-e", "cpu-clock", "-g", "-F", String(frequency), "-p", String(pid), "-o", output];
  const perf = spawn("perf", argv, { stdio: ["ignore", "ignore", "pipe"] });
  let errors = "";
  let exited = false;
  perf.stderr.on("data", (chunk) => (errors += chunk));
  const ended = new Promise((resolve) =>
    perf.on("exit", (code) => {
      exited = true;
      resolve(code);
    }),
  );
  const failure = (code) => new Error(`perf record failed (${code}): ${errors.trim()}`);
  // perf says nothing when it starts; a moment lets it attach to every thread before the load,
  // and one that may not sample the process has exited by then.
  const started = new Promise((resolve, reject) =>
    setTimeout(() => (exited ? ended.then((code) => reject(failure(code))) : resolve()), 300),
  );
  return {
    started,
    async stop() {
      perf.kill("SIGINT");
      const code = await ended;
      if (code !== 0 && code !== null) throw failure(code);
    },
  };
}

/**
 * CPU time (ns, the samples' periods) by activity, by the leaf's component and by leaf symbol,
 * from `perf script`'s stacks.
 */
function readSamples(file) {
  const script = spawnSync("perf", ["script", "-i", file, "-F", "period,ip,sym,dso"], {
    encoding: "utf8",
    maxBuffer: 1024 * 1024 * 1024,
  });
  if (script.status !== 0) throw new Error(`perf script failed: ${script.stderr.trim()}`);
  const byActivity = new Map();
  const byComponent = new Map();
  const bySymbol = new Map();
  let nanoseconds = 0;
  for (const block of script.stdout.split(/\n\s*\n/)) {
    let period = 1e9 / frequency;
    const frames = [];
    for (const line of block.split("\n")) {
      // The sample's period (ns of cpu-clock) heads its block, then one line per frame:
      // "\t    ffffffff81bdb45c iowrite16 ([kernel.kallsyms])"; a symbol may hold spaces.
      const head = /^\s*(\d+)\s*$/.exec(line);
      if (head) period = Number(head[1]);
      const frame = /^\s*[0-9a-f]+\s+(.*)\s+\((.*)\)$/.exec(line);
      if (frame) frames.push({ symbol: normalize(frame[1].replace(/\+0x[0-9a-f]+$/, "")), dso: basename(frame[2]) });
    }
    if (frames.length === 0) continue;
    const component = componentOf(frames[0]);
    nanoseconds += period;
    add(byActivity, activityOf(frames), period);
    add(byComponent, component, period);
    add(bySymbol, `${component}: ${shorten(frames[0].symbol)}`, period);
  }
  return { byActivity, byComponent, bySymbol, nanoseconds };
}

function shorten(name) {
  return name.length > 110 ? `${name.slice(0, 107)}...` : name;
}

function add(map, key, n) {
  map.set(key, (map.get(key) ?? 0) + n);
}

function top(map, n) {
  return [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);
}
