#!/usr/bin/env node
// Where an operation's CPU goes:
//   npm run bench -- --profile [--route=baton/refresh|baton/login|floor/refresh|...] [--concurrency=10] [--duration=5] [--algorithm=ES256] [--save=FILE]
// Runs one route's chains under Miniflare directly with workerd's inspector on, takes a
// V8 CPU profile of the Worker's isolate (the Worker and its Durable Objects) while they run,
// and prints where the JavaScript time goes: by source file of the bundle and by function, in
// microseconds per request, beside the workerd process's whole CPU per request from /proc
// (the difference is native work outside V8's view: HTTP, RPC, storage, the runtime).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { freePort } from "../scripts/dev-server.mjs";
import { httpClient } from "./lib/http.mjs";
import { connect } from "./lib/inspector.mjs";
import { measureCell } from "./lib/measure.mjs";
import { baton } from "./targets/baton.mjs";
import { ceiling } from "./targets/ceiling.mjs";

const args = Object.fromEntries(
  process.argv.slice(2).map((arg) => {
    const [name, value] = arg.replace(/^--/, "").split("=");
    return [name, value ?? true];
  }),
);
const routeId = args.route ?? "baton/refresh";
const concurrency = Number(args.concurrency ?? 10);
const durationMs = Number(args.duration ?? 5) * 1000;
const system = routeId.startsWith("baton/") ? baton : ceiling;
const route = system.routes.find((r) => r.id === routeId);
if (!route) throw new Error(`unknown route ${routeId}`);

const workDir = mkdtempSync(join(os.tmpdir(), "baton-profile-"));
const inspectorPort = await freePort();
const server = await system.start("miniflare", { workDir, inspectorPort, algorithm: args.algorithm ?? "ES256" });
try {
  const client = httpClient(server.url, 4);
  const ctx = await system.prepare(server, client);
  client.close();
  // Warm the isolate up before profiling.
  const budget = route.budgeted ? 2000 : undefined;
  await measureCell({ server, route, ctx, concurrency, warmupMs: 300, durationMs: 1000, budget });

  const inspector = await connect(inspectorPort, system.id === "baton" ? "baton" : "bench-ceiling");
  await inspector.call("Profiler.enable");
  await inspector.call("Profiler.setSamplingInterval", { interval: 100 });
  const cell = await measureCell({
    server,
    route,
    ctx,
    concurrency,
    warmupMs: 0,
    durationMs,
    budget,
    beforeRun: () => inspector.call("Profiler.start"),
  });
  const { profile } = await inspector.call("Profiler.stop");
  inspector.close();
  // The whole profile, for Chrome DevTools' Performance panel or a closer look at a caller.
  if (typeof args.save === "string") writeFileSync(args.save, JSON.stringify(profile));

  const requests = cell.requests;
  const bundle = readFileSync(server.scriptPath ?? system.scriptPath, "utf8").split("\n");
  const byFile = new Map();
  const byFunction = new Map();
  let total = 0;
  const selfTime = selfTimes(profile);
  const parents = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node);
  for (const node of profile.nodes) {
    const micros = selfTime.get(node.id) ?? 0;
    if (micros === 0) continue;
    total += micros;
    const frame = node.callFrame;
    const file = frame.url ? sourceOf(bundle, frame.lineNumber) : frame.functionName || "(native)";
    add(byFile, file, micros);
    // A runtime API (no script URL) is named with its JavaScript caller, which says which call it is.
    const caller = frame.url ? undefined : parents.get(node.id)?.callFrame;
    const where = caller?.url
      ? `called from ${caller.functionName || "(anonymous)"}  ${sourceOf(bundle, caller.lineNumber)}`
      : `${file}:${frame.lineNumber + 1}`;
    add(byFunction, `${frame.functionName || "(anonymous)"}  ${where}`, micros);
  }
  const perRequest = (micros) => (micros / requests).toFixed(1).padStart(8);
  console.log(
    `${route.label} under Miniflare, c=${concurrency}, ${(durationMs / 1000).toFixed(0)} s: ${cell.rps.toFixed(0)} req/s; ` +
      `workerd CPU ${(cell.cpuMsPerRequest.worker * 1000).toFixed(0)} µs/req (from /proc), ` +
      `V8 profile ${(total / requests).toFixed(0)} µs/req (includes idle, if any)\n`,
  );
  console.log("µs/req  by source file");
  for (const [file, micros] of top(byFile, 25)) console.log(`${perRequest(micros)}  ${file}`);
  console.log("\nµs/req  by function (self time)");
  for (const [name, micros] of top(byFunction, 30)) console.log(`${perRequest(micros)}  ${name}`);
  // Inclusive time: a function's own samples and its callees', so that a step's whole cost shows
  // (a function on the stack twice is counted once per sample).
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const inclusive = new Map();
  const walk = (node, seen) => {
    const frame = node.callFrame;
    const name = frame.url
      ? `${frame.functionName || "(anonymous)"}  ${sourceOf(bundle, frame.lineNumber)}`
      : undefined;
    const fresh = name !== undefined && !seen.has(name);
    const inner = fresh ? new Set([...seen, name]) : seen;
    let micros = selfTime.get(node.id) ?? 0;
    for (const child of node.children ?? []) micros += walk(byId.get(child), inner);
    if (fresh) add(inclusive, name, micros);
    return micros;
  };
  walk(profile.nodes[0], new Set());
  console.log("\nµs/req  by function (inclusive)");
  for (const [name, micros] of top(inclusive, 40)) console.log(`${perRequest(micros)}  ${name}`);
} finally {
  await server.stop();
  rmSync(workDir, { recursive: true, force: true });
}

/** Self time per profile node, in microseconds, from the samples and their time deltas. */
function selfTimes(profile) {
  const times = new Map();
  profile.samples.forEach((id, i) => times.set(id, (times.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  return times;
}

/** The source file a line of the bundle came from, by the `// path` markers esbuild writes. */
function sourceOf(lines, lineNumber) {
  for (let i = Math.min(lineNumber, lines.length - 1); i >= 0; i--) {
    const match = /^\/\/ ([\w@.\/-]+\.[cm]?[jt]s)$/.exec(lines[i]);
    if (match) return match[1].replace(/^(\.\.\/)+/, "");
  }
  return "(bundle)";
}

function add(map, key, value) {
  map.set(key, (map.get(key) ?? 0) + value);
}

function top(map, count) {
  return [...map].sort((a, b) => b[1] - a[1]).slice(0, count);
}
