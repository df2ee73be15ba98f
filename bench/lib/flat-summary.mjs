// The figures of a bench:flat run (flat.mjs): per side, its rate, CPU per refresh and p99, and
// the turn-by-turn ratios to the small runtime.
import { median } from "./summary.mjs";

/** The sides of a flat run, in the order of its first turn. */
export const ORDER = ["small", "hot", "random"];

/**
 * Per side: the rate over all its turns, CPU per refresh over all its requests, the median p99;
 * for hot and random, the turn-by-turn ratios to the small side's rate and their median.
 */
export function summariseFlat(cells) {
  const of = (side) => cells.filter((c) => c.side === side);
  const sum = (rows, key) => rows.reduce((total, row) => total + row[key], 0);
  const smallRate = new Map(of("small").map((c) => [c.turn, c.rps]));
  const summary = {};
  for (const side of ORDER) {
    const rows = of(side);
    const rate = sum(rows, "requests") / sum(rows, "seconds");
    const pairs = rows.map((c) => c.rps / smallRate.get(c.turn)).sort((a, b) => a - b);
    summary[side] = {
      rate,
      workerCpuMs: (1000 * sum(rows, "workerCpuSeconds")) / sum(rows, "requests"),
      p99: median(rows.map((c) => c.p99).sort((a, b) => a - b)),
      maxOtherCores: Math.max(...rows.map((c) => c.otherCores)),
      ...(side !== "small" && { pairs, medianRatio: median(pairs) }),
    };
  }
  for (const side of ["hot", "random"]) summary[side].ratioOfRates = summary[side].rate / summary.small.rate;
  return summary;
}

export function printFlatSummary(system, summary, { concurrency, turns, durationMs }) {
  console.log(`\n${system}: ${concurrency} chains, ${turns} turns of ${durationMs / 1000} s each`);
  for (const side of ORDER) {
    const s = summary[side];
    const against =
      side === "small"
        ? "(the reference)"
        : `× small ${s.ratioOfRates.toFixed(2)} (pairs ${s.pairs[0].toFixed(2)}–${s.pairs.at(-1).toFixed(2)}, median ${s.medianRatio.toFixed(2)})`;
    console.log(
      `  ${side.padEnd(6)} ${s.rate.toFixed(0).padStart(5)} refresh/s  p99 ${s.p99.toFixed(1)} ms  ` +
        `worker CPU ${s.workerCpuMs.toFixed(2)} ms  ${against}`,
    );
  }
}
