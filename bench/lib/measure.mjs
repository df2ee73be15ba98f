// One cell of the benchmark: fresh chains on a running server, a closed-loop run, and the CPU
// time its processes spent in the measured window, per request.
import { requestStep, runChains } from "./chains.mjs";
import { httpClient } from "./http.mjs";
import { mapBounded } from "../../scripts/map-bounded.mjs";
import { classify, cpuBetween, machineBusySeconds, sampleCpu } from "./proc.mjs";

const MAX_REQUESTS = 500_000;

/**
 * Opens `concurrency` chains of `route` on `server` and measures them. A route either has
 * `step(client, ctx, state)`, one operation of any number of requests, or `request(ctx)` and
 * `nextToken(response)` for one request per operation. `budget` bounds the operations per chain
 * (for routes that consume what `openChain` prepared); `openChain(client, ctx, index, cell)` is
 * told it in `cell`.
 * @returns the run's figures, with `cpuMsPerRequest` (per operation) by process role.
 */
export async function measureCell({ server, route, ctx, concurrency, warmupMs, durationMs, beforeRun, budget }) {
  const client = httpClient(server.url, Math.max(concurrency, 8));
  try {
    const cell = { concurrency, budget, warmupMs, durationMs };
    const states = await mapBounded(
      Array.from({ length: concurrency }, (_, i) => i),
      8,
      (i) => route.openChain(client, ctx, i, cell),
    );
    const step = route.step ? (state) => route.step(client, ctx, state) : requestStep(client, route, ctx);
    // Opening chains is not what is measured: a profiler, say, starts only now.
    await beforeRun?.();
    const processes = classify(server.root, { proxyPort: server.proxyPort });
    let loadgenBefore;
    const result = await runChains({
      states,
      step,
      budget,
      warmupMs,
      durationMs,
      maxRequests: MAX_REQUESTS,
      sample: () => {
        const cpu = sampleCpu(processes);
        const loadgen = process.cpuUsage();
        if (loadgenBefore === undefined) loadgenBefore = loadgen;
        return { cpu, loadgen, machine: machineBusySeconds() };
      },
    });
    const spent = cpuBetween(result.before.cpu, result.after.cpu);
    const loadgenSeconds =
      (result.after.loadgen.user + result.after.loadgen.system - loadgenBefore.user - loadgenBefore.system) / 1e6;
    // What every other process on the machine used meanwhile (another job, an idle server): a
    // figure above a few tenths of a core means this cell was disturbed.
    const machineSeconds = result.after.machine - result.before.machine;
    const serverSeconds = Object.values(spent).reduce((a, b) => a + b, 0);
    const otherCores = Math.max(0, machineSeconds - serverSeconds - loadgenSeconds) / result.seconds;
    const perRequest = (seconds) => (result.requests > 0 ? (seconds * 1000) / result.requests : NaN);
    const cpuMsPerRequest = {};
    let total = 0;
    for (const [role, seconds] of Object.entries(spent)) {
      cpuMsPerRequest[role] = perRequest(seconds);
      total += seconds;
    }
    cpuMsPerRequest.total = perRequest(total);
    const { before: _before, after: _after, ...figures } = result;
    return {
      ...figures,
      cpuSeconds: spent,
      cpuMsPerRequest,
      loadgenCpuMsPerRequest: perRequest(loadgenSeconds),
      otherCores,
      processes: processes.map(({ pid, role }) => ({ pid, role })),
    };
  } finally {
    client.close();
  }
}

/**
 * One route's cell for a profiler: a 1 s cell first to warm the isolate and its compilers up,
 * then the measured one, whose `beforeRun` starts the profiler once its chains are open. A
 * budgeted route's chains get {@link profiledBudget}'s share each.
 */
export async function profiledCell({ server, route, ctx, concurrency, durationMs, beforeRun }) {
  const budget = (ms) => (route.budgeted ? profiledBudget(ms, concurrency) : undefined);
  const warmup = { warmupMs: 300, durationMs: 1000 };
  await measureCell({ server, route, ctx, concurrency, ...warmup, budget: budget(1300) });
  return measureCell({
    server,
    route,
    ctx,
    concurrency,
    warmupMs: 0,
    durationMs,
    budget: budget(durationMs),
    beforeRun,
  });
}

/**
 * What each chain of a budgeted route (revocation: families opened for it beforehand) may
 * consume in `ms`: enough for 1,000 operations a second among `concurrency` chains, above what
 * any budgeted route reaches here, and no more, since each costs a login to prepare.
 */
export function profiledBudget(ms, concurrency) {
  return Math.ceil(ms / concurrency) + 5; // 1,000 a second is one a millisecond
}
