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
import { printProfile } from "./lib/cpu-profile.mjs";
import { profiledCell } from "./lib/measure.mjs";
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
  const inspector = await connect(inspectorPort, system.id === "baton" ? "baton" : "bench-ceiling");
  await inspector.call("Profiler.enable");
  await inspector.call("Profiler.setSamplingInterval", { interval: 100 });
  const beforeRun = () => inspector.call("Profiler.start");
  const cell = await profiledCell({ server, route, ctx, concurrency, durationMs, beforeRun });
  const { profile } = await inspector.call("Profiler.stop");
  inspector.close();
  // The whole profile, for Chrome DevTools' Performance panel or a closer look at a caller.
  if (typeof args.save === "string") writeFileSync(args.save, JSON.stringify(profile));

  const bundle = readFileSync(server.scriptPath ?? system.scriptPath, "utf8").split("\n");
  const total = profile.timeDeltas.reduce((sum, delta) => sum + delta, 0);
  console.log(
    `${route.label} under Miniflare, c=${concurrency}, ${(durationMs / 1000).toFixed(0)} s: ${cell.rps.toFixed(0)} req/s; ` +
      `workerd CPU ${(cell.cpuMsPerRequest.worker * 1000).toFixed(0)} µs/req (from /proc), ` +
      `V8 profile ${(total / cell.requests).toFixed(0)} µs/req (includes idle, if any); a unit below is a request\n`,
  );
  printProfile(profile, bundle, cell.requests);
} finally {
  await server.stop();
  rmSync(workDir, { recursive: true, force: true });
}
