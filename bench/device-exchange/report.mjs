// The device bench's closing table: each cell's ratios to a refresh of the same run (the median
// of the rounds first, then each round's), and how many databases the poll cells wrote. Ratios,
// not absolute figures, because the load generator and other jobs share the server's cores.
import { DISTURBED, median as middle } from "../lib/summary.mjs";
import { countedRounds } from "./rounds.mjs";

const median = (values) => middle(values.toSorted((a, b) => a - b));
const fmt = (values) =>
  values.length === 1
    ? values[0].toFixed(2)
    : `${median(values).toFixed(2)} (${values.map((v) => v.toFixed(2)).join(", ")})`;

/**
 * Prints the table for `rounds` (./rounds.mjs), the `cold` and `warm` pending cells and the
 * `deviceRequest` cell; `settings` are the run's, for the heading.
 */
export function printRatios({ rounds, cold, warm, deviceRequest }, { concurrency, durationMs, logLevel }) {
  // The pending cells and the device requests ran between rounds: against the median refresh
  // of the quiet rounds.
  const base = countedRounds(rounds, "refresh");
  const refresh = {
    rate: median(base.map((r) => r.refresh.rate)),
    workerCpuMs: median(base.map((r) => r.refresh.workerCpuMs)),
    serverCpuMs: median(base.map((r) => r.refresh.serverCpuMs)),
  };
  const row = (label, pairs, { rate = true } = {}) =>
    console.log(
      `${label.padEnd(16)} rate ${rate ? fmt(pairs.map(([c, of]) => c.rate / of.rate)) : "(paced)"}` +
        `; worker CPU/req ${fmt(pairs.map(([c, of]) => c.workerCpuMs / of.workerCpuMs))}` +
        `; all server processes' CPU/req ${fmt(pairs.map(([c, of]) => c.serverCpuMs / of.serverCpuMs))}` +
        (pairs.some(([c, of]) => c.others > DISTURBED || of.others > DISTURBED)
          ? "  (another job was busy meanwhile)"
          : ""),
    );
  console.log(
    `\nRatios to a refresh (concurrency ${concurrency}, ${durationMs / 1000} s cells, LOG_LEVEL=${logLevel}; ` +
      `${rounds.length} rounds, each ratio within a round, the median first; refresh ` +
      `${rounds.map((r) => r.refresh.rate.toFixed(0)).join(", ")} req/s, median of the ${base === rounds ? "" : "quiet "}cells ` +
      `${refresh.rate.toFixed(0)} req/s and ${refresh.workerCpuMs.toFixed(2)} ms worker CPU/req):`,
  );
  row(
    "poll (slow_down)",
    countedRounds(rounds, "poll").map((r) => [r.poll, r.refresh]),
  );
  row("pending, warm", [[warm, refresh]], { rate: false });
  row("pending, cold", [[cold, refresh]]);
  row(
    "exchange",
    countedRounds(rounds, "exchange").map((r) => [r.exchange, r.refresh]),
  );
  row("device request", [[deviceRequest, refresh]]);
  const polls = [...rounds.map((r) => r.poll), cold, warm];
  console.log(
    `databases written during the poll cells: ${polls.reduce((sum, c) => sum + c.changes.written, 0)}` +
      ` (${polls.reduce((sum, c) => sum + c.requests, 0)} polls counted)`,
  );
}
