#!/usr/bin/env node
// Where the runtime's own CPU goes, below JavaScript:
//   npm run bench:native -- [--route=floor/refresh] [--concurrency=10] [--duration=5] [--live=N] [--frequency=2999] [--rows=25] [--save=FILE]
// Runs one route's chains under Miniflare directly, samples the Worker's workerd process with
// Linux perf (`perf record`, the cpu-clock software event, so it works in a VM without hardware
// counters) while they run, and prints that process's CPU per request by component: SQLite
// (Durable Object storage), BoringSSL (signatures, hashes), V8 (its runtime, builtins and garbage
// collector, and the JavaScript its compilers made), KJ and Cap'n Proto (event loop, HTTP, RPC),
// workerd's own code, the allocator and libc, and the kernel (syscalls, loopback, files). A V8
// profile (profile.mjs) sees JavaScript only; this sees everything the process spends.
// `--live=N` first opens N more chains of the route that are never measured, so that the
// measured ones run beside N live objects (what a hot refresh pays for its neighbours).
// Needs perf (Debian's linux-perf) and permission to sample the process (root, or
// kernel.perf_event_paranoid ≤ 1).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { basename, join } from "node:path";
import { mapBounded } from "../scripts/map-bounded.mjs";
import { httpClient } from "./lib/http.mjs";
import { measureCell } from "./lib/measure.mjs";
import { classify } from "./lib/proc.mjs";
import { activityOf, componentOf, COMPONENTS, normalize } from "./lib/native-components.mjs";
import { parseArgs } from "./lib/run-info.mjs";
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
if (!route)
  throw new Error(`unknown route ${routeId}; one of ${[...baton.routes, ...ceiling.routes].map((r) => r.id)}`);
if (spawnSync("perf", ["--version"]).status !== 0)
  throw new Error("perf is not installed (Debian: apt-get install linux-perf)");

const workDir = mkdtempSync(join(os.tmpdir(), "baton-native-"));
const data = typeof args.save === "string" ? args.save : join(workDir, "perf.data");
const server = await system.start("miniflare", { workDir, algorithm: "ES256" });
try {
  const client = httpClient(server.url, 4);
  const ctx = await system.prepare(server, client);
  client.close();
  const budget = route.budgeted ? 2000 : undefined;
  if (live > 0) {
    const opener = httpClient(server.url, 8);
    let opened = 0;
    await mapBounded(
      Array.from({ length: live }, (_, i) => concurrency + i),
      8,
      async (index) => {
        await route.openChain(opener, ctx, index, { concurrency, budget });
        if (++opened % 10_000 === 0) console.log(`  ${opened} live chains`);
      },
    );
    opener.close();
  }
  // Warm the isolate up (and its compilers) before sampling.
  await measureCell({ server, route, ctx, concurrency, warmupMs: 300, durationMs: 1000, budget });

  const workers = classify(server.root).filter((p) => p.role === "worker");
  if (workers.length !== 1) throw new Error(`expected one workerd process, found ${workers.length}`);
  let recorder;
  const cell = await measureCell({
    server,
    route,
    ctx,
    concurrency,
    warmupMs: 0,
    durationMs,
    budget,
    beforeRun: () => {
      recorder = record(workers[0].pid, data);
      return recorder.started;
    },
  });
  await recorder.stop();

  const { byActivity, byComponent, bySymbol, samples } = readSamples(data);
  const perRequest = (count) => ((count * 1e6) / frequency / cell.requests).toFixed(1).padStart(8);
  console.log(
    `${route.label} under Miniflare, c=${concurrency}, ${(durationMs / 1000).toFixed(0)} s: ${cell.rps.toFixed(0)} req/s; ` +
      `workerd CPU ${(cell.cpuMsPerRequest.worker * 1000).toFixed(0)} µs/req (from /proc), ` +
      (live > 0 ? `beside ${live} live chains; ` : "") +
      `perf ${perRequest(samples).trim()} µs/req (${samples} samples at ${frequency} Hz); a unit below is a request\n`,
  );
  const share = (count) => `${((100 * count) / samples).toFixed(1).padStart(5)}%`;
  console.log("µs/unit by activity (the innermost frame that names one; the kernel by its entry)");
  for (const [activity, count] of top(byActivity, rows))
    console.log(`${perRequest(count)}  ${share(count)}  ${activity}`);
  console.log("\nµs/unit by component (self time)");
  for (const [component, count] of top(byComponent, COMPONENTS.length)) {
    console.log(`${perRequest(count)}  ${share(count)}  ${component}`);
  }
  console.log("\nµs/unit by symbol (self time)");
  for (const [symbol, count] of top(bySymbol, rows)) console.log(`${perRequest(count)}  ${symbol}`);
} finally {
  await server.stop();
  if (typeof args.save !== "string") rmSync(workDir, { recursive: true, force: true });
}

/** Starts `perf record` on one process (every thread); `started` resolves once it samples. */
function record(pid, output) {
  const perf = spawn(
    "perf",
    ["record", "-e", "cpu-clock", "-g", "-F", String(frequency), "-p", String(pid), "-o", output],
    {
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let errors = "";
  perf.stderr.on("data", (chunk) => (errors += chunk));
  const ended = new Promise((resolve) => perf.on("exit", resolve));
  // perf says nothing when it starts; a moment lets it attach to every thread before the load.
  const started = new Promise((resolve) => setTimeout(resolve, 300));
  return {
    started,
    async stop() {
      perf.kill("SIGINT");
      const code = await ended;
      if (code !== 0 && code !== null) throw new Error(`perf record failed (${code}): ${errors.trim()}`);
    },
  };
}

/**
 * Sample counts by activity (the innermost frame that names one), by component of the leaf
 * (self time) and by leaf symbol, from `perf script`'s stacks.
 */
function readSamples(file) {
  const script = spawnSync("perf", ["script", "-i", file, "-F", "ip,sym,dso"], {
    encoding: "utf8",
    maxBuffer: 1024 * 1024 * 1024,
  });
  if (script.status !== 0) throw new Error(`perf script failed: ${script.stderr.trim()}`);
  const byActivity = new Map();
  const byComponent = new Map();
  const bySymbol = new Map();
  let samples = 0;
  for (const block of script.stdout.split(/\n\s*\n/)) {
    const frames = [];
    for (const line of block.split("\n")) {
      // "\t    ffffffff81bdb45c iowrite16 ([kernel.kallsyms])"; a symbol may hold spaces and parentheses.
      const frame = /^\s*[0-9a-f]+\s+(.*)\s+\((.*)\)$/.exec(line);
      if (frame) frames.push({ symbol: normalize(frame[1].replace(/\+0x[0-9a-f]+$/, "")), dso: frame[2] });
    }
    if (frames.length === 0) continue;
    const leaf = frames[0];
    const component = componentOf(basename(leaf.dso), leaf.symbol, false);
    samples++;
    add(
      byActivity,
      activityOf(
        frames.map((f) => f.symbol),
        component,
      ),
      1,
    );
    add(byComponent, component, 1);
    add(bySymbol, `${component}: ${shorten(leaf.symbol)}`, 1);
  }
  return { byActivity, byComponent, bySymbol, samples };
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
