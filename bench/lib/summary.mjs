// Turns the cells of a run into averages, Baton's ratios to its floors and peers per operation,
// and the targets' verdicts (report.mjs prints them).

const BATON = "baton";
/** Cores used by other processes above which a cell may have been disturbed. */
export const DISTURBED = 0.3;

function mean(values) {
  const finite = values.filter(Number.isFinite);
  return finite.length ? finite.reduce((a, b) => a + b, 0) / finite.length : NaN;
}

/**
 * The CPU of several runs per operation: their CPU seconds over their operations, so that a run
 * that answered few requests (a slow turn, say) weighs as little as it measured.
 */
function cpuPerOperation(runs, role) {
  const counted = runs.filter((r) => Number.isFinite(r.cpuMsPerRequest[role]) && r.requests > 0);
  const requests = counted.reduce((a, r) => a + r.requests, 0);
  return requests > 0 ? counted.reduce((a, r) => a + r.cpuMsPerRequest[role] * r.requests, 0) / requests : NaN;
}

/** Averages repeats and slices: one row per route, runtime and concurrency. */
function aggregate(cells) {
  const groups = new Map();
  for (const cell of cells) {
    const key = `${cell.route}|${cell.runtime}|${cell.concurrency}|${cell.algorithm ?? ""}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(cell);
  }
  return [...groups.values()].map((runs) => {
    const first = runs[0];
    const roles = new Set(runs.flatMap((r) => Object.keys(r.cpuMsPerRequest)));
    const cpu = {};
    for (const role of roles) cpu[role] = cpuPerOperation(runs, role);
    return {
      route: first.route,
      system: first.system,
      operation: first.operation,
      variant: first.variant,
      label: first.label,
      algorithm: first.algorithm,
      runtime: first.runtime,
      concurrency: first.concurrency,
      repeats: runs.length,
      rps: mean(runs.map((r) => r.rps)),
      p50: mean(runs.map((r) => r.p50)),
      p95: mean(runs.map((r) => r.p95)),
      p99: mean(runs.map((r) => r.p99)),
      requests: runs.reduce((a, r) => a + r.requests, 0),
      errors: runs.reduce((a, r) => a + r.errors, 0),
      exhausted: runs.reduce((a, r) => a + (r.exhausted ?? 0), 0),
      chains: first.chains,
      chainsAliveMin: Math.min(...runs.map((r) => r.chainsAlive)),
      cpuMsPerRequest: cpu,
      loadgenCpuMsPerRequest: cpuPerOperation(
        runs.map((r) => ({ requests: r.requests, cpuMsPerRequest: { loadgen: r.loadgenCpuMsPerRequest } })),
        "loadgen",
      ),
      otherCores: Math.max(...runs.map((r) => r.otherCores)),
    };
  });
}

/**
 * Baton's rate over the other's, one ratio per repeat and slice that both were measured in: the
 * cells of a pair ran seconds apart, so their spread is the run's noise with its drift taken out.
 */
function pairedRatios(cells, baton, other) {
  const key = (c) => `${c.repeat}|${c.slice ?? 1}`;
  const same = (row) => (c) => c.route === row.route && c.runtime === row.runtime && c.concurrency === row.concurrency;
  const others = new Map(cells.filter(same(other)).map((c) => [key(c), c.rps]));
  return cells
    .filter(same(baton))
    .filter((c) => others.has(key(c)))
    .map((c) => c.rps / others.get(key(c)))
    .sort((a, b) => a - b);
}

/** The middle of ascending `sorted` (the mean of the two middle ones for an even count). */
export function median(sorted) {
  const mid = sorted.length / 2;
  return sorted.length % 2 === 1 ? sorted[Math.floor(mid)] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** "pairs 0.91–1.04, median 0.97" */
function spread(sorted) {
  return `pairs ${sorted[0].toFixed(2)}–${sorted.at(-1).toFixed(2)}, median ${median(sorted).toFixed(2)}`;
}

/** The systems Baton is set beside, in the table's order: [system id, column title]. */
export const BESIDE = [
  ["baton-info", "info"],
  ["floor", "floor"],
  ["trivial", "trivial"],
  ["workers-oauth-provider", "w-o-p"],
  ["oidc-provider", "oidc mem"],
  ["oidc-provider-redis", "oidc redis"],
  ["oidc-provider-redis-always", "redis sync"],
];

/** Averages, one comparison per operation, runtime and concurrency, and the targets' verdicts. */
export function summarise(results) {
  const rows = aggregate(results.cells);
  const find = (system, operation, runtime, concurrency) =>
    rows.find(
      (r) =>
        r.system === system &&
        r.operation === operation &&
        !r.variant &&
        r.concurrency === concurrency &&
        (r.runtime === runtime || r.runtime === "node"),
    );
  const comparisons = [];
  for (const baton of rows.filter((r) => r.system === BATON && !r.variant)) {
    const { operation, runtime, concurrency } = baton;
    const beside = {};
    for (const [system] of BESIDE) {
      const other = find(system, operation, runtime, concurrency);
      if (other) {
        const pairs = pairedRatios(results.cells, baton, other);
        // The Worker's CPU per operation over the other's, where both run in workerd.
        const cpuRatio = baton.cpuMsPerRequest.worker / other.cpuMsPerRequest.worker;
        beside[system] = {
          rps: other.rps,
          ratio: baton.rps / other.rps,
          otherCores: other.otherCores,
          pairs,
          ...(Number.isFinite(cpuRatio) && { cpuRatio }),
        };
      }
    }
    comparisons.push({ operation, runtime, concurrency, baton, beside });
  }

  const targets = [];
  const verdict = (target, c, system, want) => {
    const other = c.beside[system];
    if (!other) return;
    const disturbed = Math.max(c.baton.otherCores, other.otherCores) > DISTURBED;
    targets.push({
      target: `${c.operation}: ${target}`,
      runtime: c.runtime,
      concurrency: c.concurrency,
      ratio: other.ratio,
      want: `>= ${want}`,
      met: other.ratio >= want,
      disturbed,
      ...(other.pairs.length > 1 && { detail: spread(other.pairs) }),
    });
  };
  for (const c of comparisons) {
    verdict("Baton >= its floor", c, "floor", 1);
    verdict("Baton >= 2x workers-oauth-provider", c, "workers-oauth-provider", 2);
    if (["refresh", "login", "client-credentials", "introspection"].includes(c.operation)) {
      verdict("Baton >= durable oidc-provider", c, "oidc-provider-redis", 1);
    }
  }
  const algorithms = aggregate(results.algorithms.map((a) => ({ ...a, route: BATON })));
  return { rows, comparisons, targets, algorithms };
}
