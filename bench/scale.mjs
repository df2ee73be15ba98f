#!/usr/bin/env node
// `npm run bench:scale`: what grows as work grows, for Baton (LOG_LEVEL=warn) under Miniflare
// directly, in one run:
//
//   1. the refresh rate and p50/p99 with 10, 1,000 and 100,000 live families (each opened by a
//      real login: authorize → hand-off → code exchange), refreshing families picked at random
//      among them, and the first step's families again ("hot"): flat is the goal, since nothing
//      may scan;
//   2. bytes stored per family and per client, by kind of state (grant objects, users' session
//      objects, client registry objects, KV values: see lib/stored-bytes.mjs);
//   3. the isolate's memory (workerd's resident set, and V8's heap through the inspector) as the
//      requests it served pass 1,000,000: a mix of refresh, introspection, userinfo,
//      client_credentials, token exchange and DPoP refresh, after the logins of step 1;
//   4. cold start: the first requests of a fresh runtime (configuration read, keys imported)
//      against the same requests once warm;
//   5. the floor's refresh (bench/workers/ceiling) with as many live chains, each its own object
//      (`--floor=false` skips it): whether a step with the number of objects is the platform's.
//
//   npm run bench:scale -- [--families=10,1000,100000] [--concurrency=10] [--duration=3]
//                          [--requests=1000000] [--starts=5] [--clients=200] [--repeats=3]
//                          [--floor=false]
//
// About 25 minutes on 2 cores with the defaults; results go to bench/results/scale-*.json.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { devServerSettings, freePort } from "../scripts/dev-server.mjs";
import { mapBounded } from "../scripts/map-bounded.mjs";
import { basicAuth, httpClient } from "./lib/http.mjs";
import { connect } from "./lib/inspector.mjs";
import { measureCell } from "./lib/measure.mjs";
import { resultsFile } from "./lib/paths.mjs";
import { recordFloorPhase } from "./lib/run-info.mjs";
import { classify, residentBytes } from "./lib/proc.mjs";
import { kvBytes, objectBytes } from "./lib/stored-bytes.mjs";
import { baton } from "./targets/baton.mjs";
import { ceiling } from "./targets/ceiling.mjs";
import { dpopFamilies, login, registerClients } from "./targets/baton-operations.mjs";

const args = Object.fromEntries(
  process.argv.slice(2).map((arg) => {
    const [name, value] = arg.replace(/^--/, "").split("=");
    return [name, value ?? true];
  }),
);
const steps = String(args.families ?? "10,1000,100000")
  .split(",")
  .map(Number);
const concurrency = Number(args.concurrency ?? 10);
const durationMs = Number(args.duration ?? 3) * 1000;
const requestTarget = Number(args.requests ?? 1_000_000);
const starts = Number(args.starts ?? 5);
const clientCount = Number(args.clients ?? 200);
const repeats = Number(args.repeats ?? 3);
const SEED_CONCURRENCY = 16;
// Each chain of a cell refreshes a family of its own.
if (steps.some((count) => count < concurrency))
  throw new Error(`--families must each be at least --concurrency (${concurrency})`);

const workDir = mkdtempSync(join(os.tmpdir(), "baton-scale-"));
const results = { date: new Date().toISOString(), nproc: os.availableParallelism(), scale: [], memory: [] };
const route = (operation) => baton.routes.find((r) => r.id === `baton/${operation}`);

const inspectorPort = await freePort();
const server = await baton.start("miniflare", { workDir, inspectorPort });
const worker = classify(server.root).find((p) => p.role === "worker");
const client = httpClient(server.url, SEED_CONCURRENCY + 4);
let served = 0; // requests the runtime has answered, every kind counted
try {
  const ctx = await baton.prepare(server, client);
  const inspector = await connect(inspectorPort, "baton");
  const heap = async () => (await inspector.call("Runtime.getHeapUsage")).usedSize;

  // 1 and 2: families, and what they cost to keep.
  const unused = [];
  // The first step's families, kept aside: at every later step they are refreshed again, so that
  // what the other live families cost (nothing, if nothing scans) shows apart from what touching
  // an object that is not in memory costs.
  let hot;
  let families = 0;
  for (const target of steps) {
    const started = performance.now();
    const opened = await mapBounded(Array.from({ length: target - families }), SEED_CONCURRENCY, async () => {
      const tokens = await login(client, ctx);
      if (++families % 10_000 === 0) console.log(`  ${families} families`);
      return tokens.refresh_token;
    });
    served += 3 * opened.length;
    unused.push(...opened);
    const loginsPerSecond = opened.length / ((performance.now() - started) / 1000);
    // Chains on families picked at random among all that live, each used once; `repeats` cells.
    for (let repeat = 1; repeat <= repeats; repeat++) {
      const picked = Array.from(
        { length: concurrency },
        () => unused.splice(Math.floor(Math.random() * unused.length), 1)[0],
      );
      // The families go back to the pool with their current tokens: still live, usable again.
      unused.push(
        ...(await refreshCell(ctx, picked, { families: target, repeat, touched: "random", loginsPerSecond })),
      );
    }
    hot ??= unused.splice(0, concurrency);
    for (let repeat = 1; repeat <= repeats; repeat++) {
      hot = await refreshCell(ctx, hot, { families: target, repeat, touched: "hot" });
      // A chain that failed leaves its family behind; fewer chains would not be the same cell.
      if (hot.length < concurrency) throw new Error(`a hot family failed at ${target} families`);
    }
  }

  // 2: bytes per object (a family is a grant object; each family here has a user of its own), and
  // per client (its registry object and KV record), after `clientCount` more are registered.
  await mapBounded(Array.from({ length: clientCount }), 8, () => registerClients(client, ctx.adminToken));
  served += 4 * clientCount;
  results.objects = objectBytes(server.stateDir);
  results.kv = kvBytes(server.stateDir);
  console.log(`bytes per object: ${JSON.stringify(results.objects)}; KV values: ${JSON.stringify(results.kv)}`);

  // 3: memory as the served requests pass the target.
  const sample = async () => {
    const row = { served, residentBytes: residentBytes(worker.pid), heapUsedBytes: await heap() };
    results.memory.push(row);
    console.log(
      `  ${String(served).padStart(8)} requests: workerd RSS ${(row.residentBytes / 2 ** 20).toFixed(0)} MiB, V8 heap ${(row.heapUsedBytes / 2 ** 20).toFixed(1)} MiB`,
    );
  };
  await sample();
  const mix = ["refresh", "introspection", "userinfo", "client-credentials", "token-exchange", "refresh-dpop"];
  for (let round = 0; served < requestTarget; round++) {
    const operation = mix[round % mix.length];
    const chained = operation.startsWith("refresh");
    // A DPoP chain takes turns among families of its own, each taking a client's share of proofs
    // (see dpopFamilies); a plain refresh chain has one.
    const cellShape = { warmupMs: 0, durationMs: 10_000, concurrency: 2 * concurrency };
    const perChain = operation === "refresh-dpop" ? dpopFamilies(cellShape) : 1;
    const picked = chained ? unused.splice(0, 2 * concurrency * perChain) : [];
    if (picked.length < (chained ? 2 * concurrency * perChain : 0)) throw new Error("too few live families left");
    const chainState = (i) => (perChain === 1 ? picked[i] : picked.slice(i * perChain, (i + 1) * perChain));
    const cell = await measureCell({
      server,
      route: chained ? { ...route(operation), openChain: (_c, _x, i) => chainState(i) } : route(operation),
      ctx,
      ...cellShape,
    });
    served += cell.requests; // at least: opening the chains took requests too
    // The families go back with their current tokens (a failed chain's are lost), as in step 1.
    if (chained) unused.push(...cell.finalStates.filter((state) => state !== undefined).flat());
    await sample();
  }

  // 4: cold start.
  if (starts > 0) results.coldStart = await coldStarts();
  inspector.close();
} finally {
  client.close();
  await server.stop();
}

// 5: the floor's refresh with as many live chains, each its own object, on a runtime of its own,
// so that a step with the number of objects shows as Baton's or as the platform's. A failure
// here is recorded and keeps the figures above.
if (args.floor !== "false") {
  await recordFloorPhase(results, floorScale);
}

const file = resultsFile("scale-");
writeFileSync(file, JSON.stringify(results, null, 2) + "\n");
console.log(`\nresults: ${file}`);
process.exit(0);

/**
 * One cell of Baton's refreshes on `picked` families (one chain each), recorded under `row`; the
 * families' current tokens after it.
 */
async function refreshCell(ctx, picked, row) {
  const cell = await measureCell({
    server,
    route: { ...route("refresh"), openChain: (_c, _x, i) => picked[i] },
    ctx,
    concurrency: picked.length,
    warmupMs: 500,
    durationMs,
  });
  served += cell.requests;
  const figures = { rps: cell.rps, p50: cell.p50, p99: cell.p99, errors: cell.errors };
  results.scale.push({ ...row, ...figures, workerCpuMs: cell.cpuMsPerRequest.worker, otherCores: cell.otherCores });
  console.log(
    `${String(row.families).padStart(7)} families, ${row.touched} #${row.repeat}: refresh ${cell.rps.toFixed(0)} req/s, ` +
      `p50 ${cell.p50.toFixed(1)} ms, p99 ${cell.p99.toFixed(1)} ms, worker CPU ${cell.cpuMsPerRequest.worker.toFixed(2)} ms, ` +
      `errors ${cell.errors}, other jobs ${cell.otherCores.toFixed(2)} cores` +
      (row.loginsPerSecond === undefined ? "" : `; opened at ${row.loginsPerSecond.toFixed(0)} logins/s`),
  );
  return cell.finalStates.filter((token) => token !== undefined);
}

/** The floor's refresh (bench/workers/ceiling) with each count of live chains in `steps`. */
async function floorScale() {
  const floorDir = mkdtempSync(join(os.tmpdir(), "baton-scale-floor-"));
  const floor = ceiling.routes.find((r) => r.id === "floor/refresh");
  const rows = [];
  let floorServer;
  let floorClient;
  try {
    floorServer = await ceiling.start("miniflare", { workDir: floorDir });
    floorClient = httpClient(floorServer.url, SEED_CONCURRENCY + 4);
    const ctx = await ceiling.prepare(floorServer, floorClient);
    const pool = [];
    for (const target of steps) {
      const more = Array.from({ length: target - pool.length });
      pool.push(...(await mapBounded(more, SEED_CONCURRENCY, () => floor.openChain(floorClient, ctx))));
      for (let repeat = 1; repeat <= repeats; repeat++) {
        // Distinct chains picked at random, as for Baton; the floor spends no token, so they
        // stay in the pool.
        const indices = new Set();
        while (indices.size < concurrency) indices.add(Math.floor(Math.random() * pool.length));
        const picked = [...indices].map((i) => pool[i]);
        const cell = await measureCell({
          server: floorServer,
          route: { ...floor, openChain: (_c, _x, i) => picked[i] },
          ctx,
          concurrency,
          warmupMs: 500,
          durationMs,
        });
        const row = { families: target, repeat, rps: cell.rps, p50: cell.p50, p99: cell.p99, errors: cell.errors };
        rows.push({ ...row, workerCpuMs: cell.cpuMsPerRequest.worker, otherCores: cell.otherCores });
        console.log(
          `${String(target).padStart(7)} floor chains #${repeat}: refresh ${cell.rps.toFixed(0)} req/s, p50 ${cell.p50.toFixed(1)} ms, ` +
            `p99 ${cell.p99.toFixed(1)} ms, worker CPU ${cell.cpuMsPerRequest.worker.toFixed(2)} ms, errors ${cell.errors}`,
        );
      }
    }
  } finally {
    floorClient?.close();
    await floorServer?.stop();
    rmSync(floorDir, { recursive: true, force: true });
  }
  return rows;
}

/**
 * Fresh runtimes on one state directory, one after another: the very first request of each (the
 * configuration read, keys imported, storage opened) against the same request once warm (the
 * median of 20), for a JWKS request and a client_credentials request (a client read, the signing
 * key imported, a token signed).
 */
async function coldStarts() {
  const state = join(workDir, "cold-state");
  const settings = await devServerSettings({ vars: { LOG_LEVEL: "warn" } });
  const first = await baton.start("miniflare", { workDir, settings, persistTo: state });
  const setup = httpClient(first.url, 1);
  const { machine } = await baton.prepare(first, setup);
  setup.close();
  await first.stop();
  const token = {
    method: "POST",
    path: "/oauth2/token",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      Authorization: basicAuth(machine.client_id, machine.client_secret),
    },
    body: "grant_type=client_credentials",
  };
  const jwks = { method: "GET", path: "/oauth2/jwks" };
  const rows = [];
  for (let i = 0; i < starts; i++) {
    for (const [name, request] of [
      ["client_credentials", token],
      ["jwks", jwks],
    ]) {
      const fresh = await baton.start("miniflare", { workDir, settings, persistTo: state, probe: false });
      const c = httpClient(fresh.url, 1);
      try {
        const timed = async () => {
          const t0 = performance.now();
          const response = await c.request(request.method, request.path, request);
          if (response.status !== 200) throw new Error(`${name} answered ${response.status}: ${response.body}`);
          return performance.now() - t0;
        };
        const coldMs = await timed();
        const warm = [];
        for (let k = 0; k < 20; k++) warm.push(await timed());
        warm.sort((a, b) => a - b);
        rows.push({ request: name, coldMs, warmMs: warm[10] });
        console.log(`cold start ${name}: first ${coldMs.toFixed(1)} ms, warm ${warm[10].toFixed(2)} ms`);
      } finally {
        c.close();
        await fresh.stop();
      }
    }
  }
  return rows;
}
