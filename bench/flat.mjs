#!/usr/bin/env node
// `npm run bench:flat`: is a refresh as fast with 100,000 live families as with 10? Two runtimes
// of Baton (LOG_LEVEL=warn, Miniflare directly) run side by side: a small one holding 10
// families and a large one holding `--families` (each opened by a real login). Their refresh
// cells take short turns in alternating order (small, hot, random; then random, hot, small; …),
// so that the machine's drift over minutes, which moved scale.mjs's steps (measured one after the
// other) by as much as the target's 10%, weighs on all of them alike:
//
//   small   the small runtime's 10 families;
//   hot     10 families of the large runtime, the same ones every turn: the other families are
//           only present, so a gap here would be something that scans or grows;
//   random  10 chains in the large runtime, each taking turns among families picked at random
//           for the turn, enough that none is refreshed twice in it: each refresh then reaches
//           an object that is likely not in memory, and pays the runtime for loading it.
//
// Then the same for the refresh floor (bench/workers/ceiling): 10 chains against `--families`,
// each its own object, so that what the number of objects costs shows as the platform's or as
// Baton's (`--floor=false` skips it).
//
//   npm run bench:flat -- [--families=100000] [--concurrency=10] [--turns=8] [--duration=1]
//                         [--warmup=0.3] [--floor=false] [--baton=false] [--floor-alarms=false]
//                         [--settle=0]
//
// `--baton=false` runs the floor alone; `--floor-alarms=false` opens its chains without the
// alarm each sets otherwise (as each of Baton's families has one), to see what pending alarms
// cost the runtime. `--settle=S` waits S seconds between opening the families and the first turn
// (the runtime may evict objects idle that long), and records each runtime's resident memory
// before and after.
//
// About 30 minutes on 2 cores with the defaults, most of it the logins; results go to
// bench/results/flat-*.json.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { mapBounded } from "../scripts/map-bounded.mjs";
import { rotating } from "./lib/chains.mjs";
import { httpClient } from "./lib/http.mjs";
import { measureCell } from "./lib/measure.mjs";
import { classify, residentBytes } from "./lib/proc.mjs";
import { resultsFile } from "./lib/paths.mjs";
import { ORDER, printFlatSummary, summariseFlat } from "./lib/flat-summary.mjs";
import { machine, parseArgs, recordFloorPhase } from "./lib/run-info.mjs";
import { baton } from "./targets/baton.mjs";
import { ceiling, openChain } from "./targets/ceiling.mjs";
import { login } from "./targets/baton-operations.mjs";

const args = parseArgs(process.argv.slice(2));
const wholeNumber = (name, fallback) => {
  const value = Number(args[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a whole number of at least 1`);
  return value;
};
const families = wholeNumber("families", 100_000);
const concurrency = wholeNumber("concurrency", 10);
const turns = wholeNumber("turns", 8);
const durationMs = Number(args.duration ?? 1) * 1000;
const warmupMs = Number(args.warmup ?? 0.3) * 1000;
const settleMs = Number(args.settle ?? 0) * 1000;
if (!(durationMs > 0) || !(warmupMs >= 0) || !(settleMs >= 0))
  throw new Error("--duration must be above 0, and --warmup and --settle at least 0");
const SEED_CONCURRENCY = 16;
// Refreshes a second over all chains that no runtime here reaches (Miniflare's best is about
// 1,000): a random chain gets as many families as it could refresh in a cell at that rate.
const RATE_BOUND = 1500;
const randomFamilies = Math.ceil((RATE_BOUND * (warmupMs + durationMs)) / 1000 / concurrency);
if (families < concurrency * (1 + randomFamilies))
  throw new Error(`--families must be at least ${concurrency * (1 + randomFamilies)} for the random cells`);

const workDir = mkdtempSync(join(os.tmpdir(), "baton-flat-"));
const results = {
  date: new Date().toISOString(),
  machine: machine(),
  families,
  concurrency,
  turns,
  durationMs,
  warmupMs,
  settleMs,
  randomFamiliesPerChain: randomFamilies,
};
if (args.baton === "false" && args.floor === "false")
  throw new Error("--baton=false and --floor=false leave nothing to run");
const refresh = baton.routes.find((r) => r.id === "baton/refresh");
const floorRefresh = ceiling.routes.find((r) => r.id === "floor/refresh");
const file = resultsFile("flat-");
const save = () => writeFileSync(file, JSON.stringify(results, null, 2) + "\n");

try {
  if (args.baton !== "false") {
    results.baton = await batonPhase();
    // Saved now: the logins behind it took most of the run, and the floor's phase could fail.
    save();
  }
  if (args.floor !== "false") {
    await recordFloorPhase(results, floorPhase);
    save();
  }
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
for (const [system, phase] of [
  ["Baton", results.baton],
  ["floor", results.floor],
]) {
  if (phase !== undefined) printFlatSummary(system, phase.summary, { concurrency, turns, durationMs });
}
console.log(`\nresults: ${file}`);
process.exit(0);

/** Baton's two runtimes: families opened by logins, then the alternating turns. */
async function batonPhase() {
  const small = await openRuntime(baton, "baton-small");
  const large = await openRuntime(baton, "baton-large");
  try {
    const open = async (runtime, count) => {
      const started = performance.now();
      let opened = 0;
      const tokens = await mapBounded(Array.from({ length: count }), SEED_CONCURRENCY, async () => {
        const answer = await login(runtime.client, runtime.ctx);
        if (++opened % 10_000 === 0) console.log(`  ${opened} families`);
        return answer.refresh_token;
      });
      const seconds = (performance.now() - started) / 1000;
      (results.logins ??= []).push({ families: count, seconds });
      console.log(`${count} families opened in ${seconds.toFixed(0)} s (${(count / seconds).toFixed(0)} logins/s)`);
      return tokens;
    };
    const smallFamilies = await open(small, concurrency);
    const pool = await open(large, families);
    const hotFamilies = pool.splice(0, concurrency);
    // Each cell refreshes its families once per operation; the tokens they end with are the next
    // turn's (a random cell's go back to the pool, still live).
    // A chain's state is its families, the next one first; small and hot chains have one each.
    const one = (tokens) => tokens.map((token) => [token]);
    const draw = () => pool.splice(Math.floor(Math.random() * pool.length), 1)[0];
    const sides = {
      small: {
        runtime: small,
        take: () => one(smallFamilies),
        keep: (chains) => smallFamilies.splice(0, Infinity, ...chains.flat()),
      },
      hot: {
        runtime: large,
        take: () => one(hotFamilies),
        keep: (chains) => hotFamilies.splice(0, Infinity, ...chains.flat()),
      },
      random: {
        runtime: large,
        take: () => Array.from({ length: concurrency }, () => Array.from({ length: randomFamilies }, draw)),
        // Back to the pool with their current tokens: still live, usable again.
        keep: (chains) => pool.push(...chains.flat()),
      },
    };
    const run = await alternate(sides, refresh, (cell, side) => {
      const chains = cell.finalStates.filter((state) => state !== undefined);
      // A chain that failed leaves its families behind; fewer chains would not be the same cell.
      if (chains.length < concurrency) {
        throw new Error(`a chain failed in a ${side} cell: ${cell.errors} errors ${JSON.stringify(cell.errorKinds)}`);
      }
      return chains;
    });
    return { ...run, summary: summariseFlat(run.cells) };
  } finally {
    await small.stop();
    await large.stop();
  }
}

/** The floor's two runtimes: chains opened, then the same turns. Chains spend no token. */
async function floorPhase() {
  const small = await openRuntime(ceiling, "floor-small");
  const large = await openRuntime(ceiling, "floor-large");
  try {
    const alarm = args["floor-alarms"] !== "false";
    results.floorAlarms = alarm;
    const open = (runtime, count) =>
      mapBounded(Array.from({ length: count }), SEED_CONCURRENCY, () => openChain(runtime.client, { alarm }));
    const smallChains = await open(small, concurrency);
    const pool = await open(large, families);
    const hotChains = pool.slice(0, concurrency);
    const others = pool.slice(concurrency);
    const one = (states) => states.map((state) => [state]);
    const sides = {
      small: { runtime: small, take: () => one(smallChains), keep: () => {} },
      hot: { runtime: large, take: () => one(hotChains), keep: () => {} },
      random: {
        runtime: large,
        // Distinct objects for the turn, as Baton's; the floor spends no token, so they stay put.
        take: () => {
          const picked = new Set();
          while (picked.size < concurrency * randomFamilies)
            picked.add(others[Math.floor(Math.random() * others.length)]);
          const list = [...picked];
          return Array.from({ length: concurrency }, (_, i) =>
            list.slice(i * randomFamilies, (i + 1) * randomFamilies),
          );
        },
        keep: () => {},
      },
    };
    const run = await alternate(sides, floorRefresh, (cell, side) => {
      if (cell.errors > 0)
        throw new Error(`the floor's ${side} cell had ${cell.errors} errors ${JSON.stringify(cell.errorKinds)}`);
    });
    return { ...run, summary: summariseFlat(run.cells) };
  } finally {
    await small.stop();
    await large.stop();
  }
}

/** Starts `system` under Miniflare in a directory of its own, with a client and its context. */
async function openRuntime(system, name) {
  const server = await system.start("miniflare", { workDir: join(workDir, name) });
  const client = httpClient(server.url, SEED_CONCURRENCY + 4);
  const ctx = await system.prepare(server, client);
  return {
    server,
    client,
    ctx,
    stop: async () => {
      client.close();
      await server.stop();
    },
  };
}

/** `turns` rounds of one cell per side, in alternating order; `check` vets a cell and may answer its states. */
async function alternate(sides, route, check) {
  const cells = [];
  const memory = [];
  const resident = (when) => {
    const mib = (runtime) => {
      const worker = classify(runtime.server.root).find((p) => p.role === "worker");
      const bytes = worker === undefined ? undefined : residentBytes(worker.pid);
      if (bytes === undefined) throw new Error("the runtime's workerd process is gone");
      return Math.round(bytes / 2 ** 20);
    };
    memory.push({ when, smallMiB: mib(sides.small.runtime), largeMiB: mib(sides.hot.runtime) });
    console.log(`${when}: resident ${JSON.stringify(memory.at(-1))}`);
  };
  resident("opened");
  if (settleMs > 0) {
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    resident(`after ${settleMs / 1000} s`);
  }
  for (let turn = 1; turn <= turns; turn++) {
    const order = turn % 2 === 1 ? ORDER : [...ORDER].reverse();
    for (const side of order) {
      const { runtime, take, keep } = sides[side];
      const picked = take();
      const cell = await measureCell({
        server: runtime.server,
        route: { ...rotating(route), openChain: (_client, _ctx, i) => picked[i] },
        ctx: runtime.ctx,
        concurrency,
        warmupMs,
        durationMs,
      });
      keep(check(cell, side) ?? picked);
      const row = {
        side,
        turn,
        requests: cell.requests,
        seconds: cell.seconds,
        rps: cell.rps,
        p50: cell.p50,
        p99: cell.p99,
        errors: cell.errors,
        workerCpuSeconds: cell.cpuSeconds.worker,
        otherCores: cell.otherCores,
      };
      cells.push(row);
      console.log(
        `turn ${turn} ${side.padEnd(6)} ${cell.rps.toFixed(0).padStart(5)} refresh/s  p50 ${cell.p50.toFixed(1)} ms  ` +
          `p99 ${cell.p99.toFixed(1)} ms  worker CPU ${((1000 * cell.cpuSeconds.worker) / cell.requests).toFixed(2)} ms  ` +
          `others ${cell.otherCores.toFixed(2)} cores`,
      );
    }
  }
  return { cells, memory };
}
