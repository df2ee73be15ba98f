// What the runner needs to know of the cells measured so far: how much a budgeted route's chains
// may consume, and the one progress line each cell prints.

/**
 * Operations each chain of a budgeted route (one that consumes what was opened for it) may
 * perform: enough for the rate this route reached before on this runtime (three times it, from a
 * lower concurrency), or else for the same system's refresh rate here, for the whole cell (with
 * slices, for one turn: each turn opens chains of its own). `cells` are the run's cells so far.
 */
export function budgetFor(cells, { route, systemId, runtime, concurrency, warmupMs, durationMs }) {
  const seconds = (warmupMs + durationMs) / 1000;
  const earlier = cells.filter((c) => c.route === route.id && c.runtime === runtime);
  const refresh = cells.find(
    (c) =>
      c.system === (route.system ?? systemId) &&
      c.operation === "refresh" &&
      c.runtime === runtime &&
      c.concurrency === concurrency,
  );
  const rate = earlier.length
    ? Math.max(...earlier.map((c) => c.rps * (c.concurrency < concurrency ? 3 : 1.5)))
    : (refresh?.rps ?? 500) * 1.2;
  return Math.ceil((rate * seconds) / concurrency) + 5;
}

/** Prints one measured cell's line (rate, latency, errors, load, CPU by process) and its errors. */
export function progress(id, runtime, concurrency, repeat, cell) {
  const cpu = cell.cpuMsPerRequest;
  console.log(
    `${id.padEnd(24)} ${runtime.padEnd(12)} c=${String(concurrency).padEnd(3)} #${repeat}  ` +
      `${cell.rps.toFixed(0).padStart(6)} req/s  p50 ${cell.p50.toFixed(1)} ms  p99 ${cell.p99.toFixed(1)} ms  ` +
      `errors ${cell.errors}  alive ${cell.chainsAlive}/${cell.chains}  others ${cell.otherCores.toFixed(2)} cores  ` +
      `cpu/req ${Object.entries(cpu)
        .map(([role, ms]) => `${role} ${ms.toFixed(2)}`)
        .join(" ")} ms`,
  );
  for (const [kind, count] of Object.entries(cell.errorKinds)) console.log(`    ${count}× ${kind}`);
}
