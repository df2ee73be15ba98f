#!/usr/bin/env node
// The operations table of a run, in Markdown, from its results file: what README.md and
// RESULTS.md show, so that every figure there can be read again from the file it came from.
//   node bench/table.mjs bench/results/FILE.json [--concurrency=10]
//
// Each "×" is Baton's rate over the other's by the ratio of the means of their turns; "turns" is
// the median of the turn-by-turn ratios to the floor (with --slices, turns seconds apart, so the
// machine's drift is out of it); "CPU × floor" is the Worker's workerd CPU per operation over the
// floor's (above 1: Baton spends more).
import { readFileSync } from "node:fs";
import { OPERATIONS } from "./lib/operations.mjs";
import { median, summarise } from "./lib/summary.mjs";
import { parseArgs } from "./lib/run-info.mjs";

const [file] = process.argv.slice(2).filter((arg) => !arg.startsWith("--"));
if (file === undefined) throw new Error("usage: node bench/table.mjs RESULTS.json [--concurrency=N]");
const args = parseArgs(process.argv.slice(2).filter((arg) => arg.startsWith("--")));
const only = args.concurrency === undefined ? undefined : Number(args.concurrency);

const results = JSON.parse(readFileSync(file, "utf8"));
const { comparisons } = summarise(results);
const RUNTIMES = { miniflare: "Miniflare", "wrangler-dev": "`wrangler dev`", "wrangler-dev-direct": "proxy bypassed" };
const operations = Object.keys(OPERATIONS);
const runtimes = Object.keys(RUNTIMES);
const fixed = (value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : "–");
const times = (beside) => (beside === undefined ? "–" : fixed(beside.ratio));

// The Redis that flushes every write is measured only when a run asks for it.
const always = comparisons.some((c) => c.beside["oidc-provider-redis-always"] !== undefined);
const lines = [
  "| operation | runtime | c | Baton ops/s | p50 / p99 ms | worker CPU ms | × info | × floor | turns | CPU × floor | × trivial | × w-o-p | × oidc mem | × oidc Redis |" +
    (always ? " × oidc Redis, fsync always |" : ""),
  "| --- | --- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: |" + (always ? " --: |" : ""),
];
const sorted = comparisons
  .filter((c) => only === undefined || c.concurrency === only)
  .sort(
    (a, b) =>
      operations.indexOf(a.operation) - operations.indexOf(b.operation) ||
      runtimes.indexOf(a.runtime) - runtimes.indexOf(b.runtime) ||
      a.concurrency - b.concurrency,
  );
for (const { operation, runtime, concurrency, baton, beside } of sorted) {
  const floor = beside.floor;
  const cells = [
    operation,
    RUNTIMES[runtime] ?? runtime,
    concurrency,
    baton.rps.toFixed(0),
    `${fixed(baton.p50, 1)} / ${fixed(baton.p99, 1)}`,
    fixed(baton.cpuMsPerRequest.worker),
    times(beside["baton-info"]),
    times(floor),
    floor !== undefined && floor.pairs.length > 1 ? fixed(median(floor.pairs)) : "–",
    fixed(floor?.cpuRatio),
    times(beside.trivial),
    times(beside["workers-oauth-provider"]),
    times(beside["oidc-provider"]),
    times(beside["oidc-provider-redis"]),
    ...(always ? [times(beside["oidc-provider-redis-always"])] : []),
  ];
  lines.push(`| ${cells.join(" | ")} |`);
}
console.log(lines.join("\n"));
