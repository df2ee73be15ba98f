#!/usr/bin/env node
// `npm run bench` (at the repository root): measures, in one run on this machine, every operation
// Baton serves (bench/lib/operations.mjs) at LOG_LEVEL=warn and info, beside the floors of the
// same shape on the same runtime (bench/workers/ceiling) and its peers' same operations
// (@cloudflare/workers-oauth-provider; node-oidc-provider in memory and on Redis), at several
// concurrencies; then CPU per refresh with each key type. Prints the tables and writes the
// results to bench/results/.
//
//   npm run bench                       the full run (about 25 minutes on 2 cores)
//   npm run bench -- --quick            a short smoke run
//   npm run bench -- --only=baton,ceiling --operations=refresh,login --runtimes=miniflare --concurrency=10 --duration=3
//   npm run bench -- --profile --route=baton     where a refresh's CPU goes (profile.mjs)
//   npm run bench -- --priority                  run at a higher CPU priority than other jobs
//   npm run bench -- --slices=4                  each cell measured in 4 slices, the systems taking
//                                                turns (A B B A A B B A), so drift hits all alike
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { resultsFile } from "./lib/paths.mjs";
import { otherLoad } from "./lib/proc.mjs";
import { ensureDependencies, list, machine, parseArgs, positiveInteger } from "./lib/run-info.mjs";

const args = parseArgs(process.argv.slice(2));
const quick = args.quick === true;
const settings = {
  concurrency: list(args.concurrency, [1, 10, 50]),
  repeats: Number(args.repeats ?? 1),
  slices: positiveInteger("slices", args.slices ?? 1),
  warmupMs: Number(args.warmup ?? (quick ? 0.3 : 0.5)) * 1000,
  durationMs: Number(args.duration ?? (quick ? 0.7 : 2.5)) * 1000,
  algorithms: args["skip-algorithms"] ? [] : ["ES256", "EdDSA", "RS256"],
  algorithmConcurrency: Number(args["algorithm-concurrency"] ?? 10),
  only: args.only ? String(args.only).split(",") : undefined,
  operations: args.operations ? String(args.operations).split(",") : undefined,
  runtimes: args.runtimes ? String(args.runtimes).split(",") : undefined,
  priority: args.priority === true,
};

ensureDependencies();

const { raisePriority } = await import("./lib/priority.mjs");
const { bypassProxy } = await import("./lib/servers.mjs");
if (settings.priority) {
  // Children inherit the raised nice value; each server's own session is raised as it starts.
  const failures = raisePriority();
  if (failures.length) console.log(`--priority: could not raise this process's priority (${failures.join(", ")})`);
}

if (args.profile) {
  // `npm run bench -- --profile [--route=baton|minimal|trivial] ...`: see profile.mjs.
  await import("./profile.mjs");
  process.exit(0);
}

const { baton, batonSystem } = await import("./targets/baton.mjs");
const { ceiling } = await import("./targets/ceiling.mjs");
const { oauthProvider } = await import("./targets/oauth-provider.mjs");
const { oidcProvider, oidcProviderRedis, oidcProviderRedisAlways } = await import("./targets/oidc-provider.mjs");
const { measureCell } = await import("./lib/measure.mjs");
const { budgetFor, progress } = await import("./lib/cells.mjs");
const { httpClient } = await import("./lib/http.mjs");
const { checkBodyAndLogs } = await import("./lib/warnings.mjs");
const report = await import("./lib/report.mjs");
const { OPERATIONS } = await import("./lib/operations.mjs");

// oidc-provider on a Redis that flushes every write runs only when --only names it.
const everySystem = [baton, batonSystem("info"), ceiling, oauthProvider, oidcProvider, oidcProviderRedis];
const systems = [...everySystem, oidcProviderRedisAlways].filter((s) =>
  settings.only ? settings.only.includes(s.id) : s !== oidcProviderRedisAlways,
);
const measured = (route) => !settings.operations || settings.operations.includes(route.operation);
const workDir = mkdtempSync(join(os.tmpdir(), "baton-bench-"));
const started = Date.now();
const results = {
  machine: machine(),
  settings,
  cells: [],
  algorithms: [],
  failures: [],
  warnings: {},
};
console.log(
  `state (Durable Objects, KV, Redis) under ${results.machine.stateDir.path} (${results.machine.stateDir.filesystem})`,
);

const live = new Set();
process.on("SIGINT", async () => {
  await Promise.allSettled([...live].map((s) => s.stop()));
  process.exit(130);
});

try {
  // Every server is started first and the cells then go round them (see below).
  const targets = await startAll(
    systems.flatMap((system) =>
      system.runtimes
        .flatMap((runtime) => (runtime === "wrangler-dev" ? [runtime, "wrangler-dev-direct"] : [runtime]))
        .filter((runtime) =>
          settings.runtimes
            ? runtime === "node" || settings.runtimes.includes(runtime)
            : runtime !== "wrangler-dev-direct",
        )
        .map((runtime) => ({ system, runtime, options: {} })),
    ),
  );
  results.quietBefore = await otherLoad();
  if (results.quietBefore > 0.3) {
    console.log(
      `warning: other processes use ${results.quietBefore.toFixed(2)} cores right now; figures will be disturbed (see the "others" column)`,
    );
  }
  // Cells go operation by operation, every system's route for it one after another, so that the
  // figures to be compared (Baton, its floor, its peers: one operation at one concurrency) are
  // measured seconds apart, not a whole run apart.
  // With --slices, each cell's time is cut into slices and the routes take turns, in reverse order
  // every other slice: a machine that speeds up or slows down during the cell (another job, the
  // CPU's clock, the runtime's own housekeeping) then weighs on every route alike.
  for (let repeat = 1; repeat <= settings.repeats; repeat++) {
    for (const concurrency of settings.concurrency) {
      for (const operation of Object.keys(OPERATIONS)) {
        const cells = targets.flatMap((target) =>
          target.system.routes
            .filter((r) => r.operation === operation && measured(r))
            .map((route) => ({ ...target, route })),
        );
        for (let slice = 1; slice <= settings.slices; slice++) {
          for (const cell of slice % 2 === 1 ? cells : [...cells].reverse()) {
            await measureOne({ ...cell, concurrency, repeat, slice });
          }
        }
      }
    }
  }
  for (const { system, runtime, server, ctx, outputBefore } of targets) {
    if (system.id.startsWith("baton"))
      results.warnings[`${system.id}/${runtime}`] = await logsDuring(server, outputBefore);
    if (system.id === "ceiling") {
      results.warnings[`body-and-logs/${runtime}`] = await checkBodyAndLogs({
        server,
        route: system.routes[0],
        ctx,
        concurrency: 10,
        ...timing(),
      });
    }
  }
  await Promise.all(targets.map(({ server }) => stop(server)));

  if (systems.includes(baton) && settings.algorithms.length > 0) {
    const variants = (
      await startAll(
        settings.algorithms.map((algorithm) => ({ system: baton, runtime: "miniflare", options: { algorithm } })),
      )
    ).map((target) => ({ ...target, algorithm: target.options.algorithm }));
    const concurrency = settings.algorithmConcurrency;
    for (let repeat = 1; repeat <= settings.repeats; repeat++) {
      for (const { algorithm, server, ctx } of variants) {
        const where = { algorithm, runtime: "miniflare", concurrency, repeat };
        try {
          const route = baton.routes.find((r) => r.operation === "refresh");
          const cell = await measureCell({ server, route, ctx, concurrency, ...timing() });
          results.algorithms.push({ ...where, ...cell, finalStates: undefined });
          progress(`baton ${algorithm}`, "miniflare", concurrency, repeat, cell);
        } catch (error) {
          results.failures.push({ ...where, label: `Baton ${algorithm}`, error: error.message });
          console.log(`baton ${algorithm} c=${concurrency} #${repeat}: FAILED: ${error.message}`);
        }
      }
    }
    await Promise.all(variants.map(({ server }) => stop(server)));
  }
} finally {
  await Promise.allSettled([...live].map((server) => stop(server)));
  rmSync(workDir, { recursive: true, force: true });
}

results.elapsedSeconds = (Date.now() - started) / 1000;
results.summary = report.summarise(results);
console.log("\n" + report.render(results));
const file = resultsFile("", quick ? "-quick" : "");
writeFileSync(file, JSON.stringify(results, null, 2) + "\n");
console.log(`\nresults: ${file} (${results.elapsedSeconds.toFixed(0)} s)`);
process.exit(0);

/**
 * Starts servers and prepares each (a client registered). `wrangler dev` instances start one
 * after another (two starting at once contend for the same local sockets); the others start
 * alongside. If any fails, those that started are stopped by the caller's `finally`.
 */
async function startAll(specs) {
  const startOne = async (spec) => {
    const server = await start(spec.system, spec.runtime, spec.options);
    const ctx = await prepare(spec.system, server);
    return { ...spec, server, ctx, outputBefore: server.output().length };
  };
  const outcomes = new Map();
  const attempt = async (spec) => {
    try {
      outcomes.set(spec, { ok: true, value: await startOne(spec) });
    } catch (error) {
      outcomes.set(spec, { ok: false, error });
    }
  };
  await Promise.all([
    (async () => {
      for (const spec of specs.filter((s) => s.runtime.startsWith("wrangler-dev"))) {
        await attempt(spec);
        if (!outcomes.get(spec).ok) break;
      }
    })(),
    ...specs.filter((s) => !s.runtime.startsWith("wrangler-dev")).map(attempt),
  ]);
  const failure = [...outcomes.values()].find((outcome) => !outcome.ok);
  if (failure) throw failure.error;
  return specs.map((spec) => outcomes.get(spec).value);
}

/** Measures one cell and keeps it; a broken cell (a chain that could not be opened, say) is
 * recorded as a failure and the run goes on. */
async function measureOne({ system, runtime, server, ctx, route, concurrency, repeat, slice = 1 }) {
  const where = {
    route: route.id,
    system: route.system ?? route.id.split("/")[0],
    operation: route.operation,
    variant: route.variant === true,
    label: route.label,
    runtime,
    concurrency,
    repeat,
    slice,
  };
  try {
    let budget = route.budgeted
      ? budgetFor(results.cells, { route, systemId: system.id, runtime, concurrency, ...timing(true) })
      : undefined;
    let cell;
    for (let attempt = 1; cell === undefined; attempt++) {
      try {
        cell = await measureCell({ server, route, ctx, concurrency, budget, ...timing(true) });
      } catch (error) {
        // A route much faster than the rate its budget was sized from used up what every chain
        // was given before the window opened: it runs again with four times as much, twice at most.
        // Chains that failed are a failure, not a budget too small.
        if (budget === undefined || attempt > 2 || error.exhausted !== error.chains) throw error;
        budget *= 4;
      }
    }
    // The chains' last states (live tokens) are not figures: they stay out of the results file.
    results.cells.push({ ...where, ...cell, finalStates: undefined, budget });
    progress(route.id, runtime, concurrency, settings.slices > 1 ? `${repeat}.${slice}` : repeat, cell);
  } catch (error) {
    results.failures.push({ ...where, error: error.message });
    const turn = settings.slices > 1 ? `${repeat}.${slice}` : repeat;
    console.log(`${route.id} ${runtime} c=${concurrency} #${turn}: FAILED: ${error.message}`);
  }
}

/** A cell's warm-up and measured window; `sliced`, each slice's share of the window. */
function timing(sliced = false) {
  return { warmupMs: settings.warmupMs, durationMs: settings.durationMs / (sliced ? settings.slices : 1) };
}

/**
 * Starts one server. "wrangler-dev-direct" is `wrangler dev` with its proxy bypassed: the same
 * processes, the requests sent straight to the Worker's own workerd (`--runtimes` names it).
 */
async function start(system, runtime, options) {
  const direct = runtime === "wrangler-dev-direct";
  const server = await system.start(direct ? "wrangler-dev" : runtime, { workDir, ...options });
  live.add(server);
  if (settings.priority) raisePriority(server.root);
  if (direct) server.url = await bypassProxy(server);
  return server;
}

async function prepare(system, server) {
  const client = httpClient(server.url, 4);
  try {
    return await system.prepare(server, client);
  } finally {
    client.close();
  }
}

async function stop(server) {
  live.delete(server);
  await server.stop();
}

/** What the server logged while it was measured: output lines, or Miniflare's counted logs. */
async function logsDuring(server, outputBefore) {
  const output = server.output().slice(outputBefore);
  const lines = output.split("\n").filter((line) => line.trim() !== "");
  return { outputLines: lines.length, sample: lines.slice(0, 5), runtimeLogs: await server.logs() };
}
