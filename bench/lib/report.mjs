// The tables of a run, as text: Baton's ratios to its floors and peers per operation, every
// cell, the targets' verdicts and the key types (from summary.mjs's figures).
import { OPERATIONS } from "./operations.mjs";
import { BESIDE, DISTURBED } from "./summary.mjs";

export { summarise } from "./summary.mjs";

/** "0.5 s warm-up + 2.5 s measured", or with slices, each turn's (the key types' cells are whole). */
function cellTiming({ warmupMs, durationMs, slices = 1 }) {
  const seconds = (ms) => Number((ms / 1000).toFixed(3));
  const window = (measured) => `${seconds(warmupMs)} s warm-up + ${seconds(measured)} s measured`;
  if (slices === 1) return window(durationMs);
  return `${slices} turns of ${window(durationMs / slices)}, the systems taking turns in alternating order (key types: ${window(durationMs)})`;
}

const pad = (text, width) => String(text).padEnd(width);
const lpad = (text, width) => String(text).padStart(width);
const ms = (value) => (Number.isFinite(value) ? value.toFixed(value < 10 ? 2 : 1) : "-");
const cpu = (value) => (Number.isFinite(value) ? value.toFixed(3) : "-");

/** The table, the targets and the key types, as text. */
export function render(results) {
  const { rows, targets, algorithms } = results.summary;
  const m = results.machine;
  const lines = [];
  lines.push(`Machine: ${m.nproc} cores, ${m.cpuModel}, ${m.memoryGiB} GiB; ${m.date}; Node ${m.node}`);
  lines.push(
    `wrangler ${m.wrangler}, miniflare ${m.miniflare}, workerd ${m.workerd}; workers-oauth-provider ${m.workersOauthProvider}, oidc-provider ${m.oidcProvider}; Baton ${m.batonCommit}`,
  );
  lines.push(
    `Each cell: ${cellTiming(results.settings)}, closed-loop chains (one operation at a time each); ${results.settings.repeats} repeat(s), averaged (CPU: over all their operations)${results.settings.priority ? "; run at raised CPU priority" : ""}.`,
  );
  lines.push(
    "CPU ms/op: worker = the Worker's workerd, proxy = wrangler dev's proxy workerd, node = wrangler / Miniflare host / Node server, redis = redis-server.",
  );
  lines.push(
    `others = cores used by other processes during the cell (worst repeat); "!" above ${DISTURBED}: the cell may have been disturbed` +
      (results.settings.priority ? " (with --priority, others mostly run in this run's idle gaps)." : "."),
  );
  lines.push("");
  lines.push(
    "Operations: Baton at LOG_LEVEL=warn, and Baton's rate over each other's (×): Baton at info, the floor and trivial route on the same runtime, the peers (oidc-provider runs on Node, beside both runtimes).",
  );
  const head =
    pad("operation", 20) +
    pad("runtime", 13) +
    lpad("c", 3) +
    lpad("ops/s", 7) +
    lpad("p50", 7) +
    lpad("p99", 7) +
    lpad("cpu", 7) +
    BESIDE.map(([, title]) => lpad(title, 11)).join("");
  lines.push(head);
  lines.push("-".repeat(head.length));
  const operations = Object.keys(OPERATIONS);
  const comparisons = [...results.summary.comparisons].sort(
    (a, b) =>
      operations.indexOf(a.operation) - operations.indexOf(b.operation) ||
      runtimeRank(a.runtime) - runtimeRank(b.runtime) ||
      a.concurrency - b.concurrency,
  );
  let last;
  for (const c of comparisons) {
    if (last !== undefined && last !== c.operation) lines.push("");
    last = c.operation;
    lines.push(
      pad(c.operation, 20) +
        pad(c.runtime, 13) +
        lpad(c.concurrency, 3) +
        lpad(c.baton.rps.toFixed(0), 7) +
        lpad(ms(c.baton.p50), 7) +
        lpad(ms(c.baton.p99), 7) +
        lpad(ms(c.baton.cpuMsPerRequest.worker), 7) +
        BESIDE.map(([system]) => lpad(c.beside[system] ? `${c.beside[system].ratio.toFixed(2)}×` : "", 11)).join(""),
    );
  }
  lines.push("");
  lines.push("Every cell:");
  const header =
    pad("route", 40) +
    pad("runtime", 13) +
    lpad("c", 3) +
    lpad("ops/s", 8) +
    lpad("p50", 7) +
    lpad("p95", 7) +
    lpad("p99", 7) +
    lpad("err", 5) +
    lpad("alive", 7) +
    lpad("worker", 8) +
    lpad("proxy", 7) +
    lpad("node", 7) +
    lpad("redis", 7) +
    lpad("total", 7) +
    lpad("others", 8);
  lines.push(header);
  lines.push("-".repeat(header.length));
  const sorted = [...rows].sort(
    (a, b) =>
      operations.indexOf(a.operation) - operations.indexOf(b.operation) ||
      runtimeRank(a.runtime) - runtimeRank(b.runtime) ||
      a.concurrency - b.concurrency ||
      a.route.localeCompare(b.route),
  );
  let previous;
  for (const row of sorted) {
    const group = `${row.operation}|${row.runtime}|${row.concurrency}`;
    if (previous !== undefined && group !== previous) lines.push("");
    previous = group;
    lines.push(
      pad(row.route, 40) +
        pad(row.runtime, 13) +
        lpad(row.concurrency, 3) +
        lpad(row.rps.toFixed(0), 8) +
        lpad(ms(row.p50), 7) +
        lpad(ms(row.p95), 7) +
        lpad(ms(row.p99), 7) +
        lpad(row.errors, 5) +
        lpad(`${row.chainsAliveMin}/${row.chains}${row.exhausted ? "x" : ""}`, 7) +
        lpad(cpu(row.cpuMsPerRequest.worker), 8) +
        lpad(cpu(row.cpuMsPerRequest.proxy), 7) +
        lpad(cpu(row.cpuMsPerRequest.node), 7) +
        lpad(cpu(row.cpuMsPerRequest.redis), 7) +
        lpad(cpu(row.cpuMsPerRequest.total), 7) +
        lpad(`${row.otherCores.toFixed(2)}${row.otherCores > DISTURBED ? "!" : " "}`, 8),
    );
  }
  for (const f of results.failures ?? []) {
    const turn = (results.settings.slices ?? 1) > 1 && f.slice !== undefined ? `.${f.slice}` : "";
    lines.push(`FAILED: ${f.label} ${f.runtime} c=${f.concurrency} #${f.repeat}${turn}: ${f.error}`);
  }
  if (targets.length) {
    lines.push("");
    lines.push("Targets (ratios from this run):");
    for (const t of targets) {
      lines.push(
        `  ${t.met ? "MET   " : "MISSED"} ${pad(t.target, 58)} ${pad(t.runtime, 13)} c=${pad(t.concurrency, 3)} ` +
          `ratio ${t.ratio.toFixed(2)} (want ${t.want})${t.detail ? `  ${t.detail}` : ""}${t.disturbed ? "  (disturbed)" : ""}`,
      );
    }
  }
  if (algorithms.length) {
    lines.push("");
    lines.push("Baton's refresh by signing key type (miniflare, CPU ms per refresh):");
    for (const a of algorithms) {
      lines.push(
        `  ${pad(a.algorithm, 6)} c=${pad(a.concurrency, 3)} ${lpad(a.rps.toFixed(0), 6)} req/s  ` +
          `worker ${cpu(a.cpuMsPerRequest.worker)}  node ${cpu(a.cpuMsPerRequest.node)}  total ${cpu(a.cpuMsPerRequest.total)}  p50 ${ms(a.p50)} ms`,
      );
    }
  }
  const warnings = results.warnings;
  if (warnings && Object.keys(warnings).length) {
    lines.push("");
    lines.push(
      "What the servers logged while measured (wrangler dev: output lines at --log-level warn; Miniflare: runtime log lines):",
    );
    for (const [key, value] of Object.entries(warnings)) {
      if (key.startsWith("body-and-logs/")) {
        const runtime = key.slice("body-and-logs/".length);
        lines.push(`  trivial route on ${runtime} (c=10), by way of reading the body:`);
        for (const [way, w] of Object.entries(value)) {
          const logged = w.runtimeLogs
            ? `runtime logs ${JSON.stringify(w.runtimeLogs)}`
            : `${w.outputLines} output lines`;
          lines.push(
            `    ${pad(way, 11)} ${lpad(w.rps.toFixed(0), 6)} req/s  ${pad(logged, 36)} cpu ms/req worker ${cpu(w.cpuMsPerRequest.worker)} ` +
              `proxy ${cpu(w.cpuMsPerRequest.proxy)} node ${cpu(w.cpuMsPerRequest.node)}${w.sample.length ? `  "${strip(w.sample[0]).slice(0, 60)}"` : ""}`,
          );
        }
      } else {
        const logged = value.runtimeLogs
          ? `runtime logs ${JSON.stringify(value.runtimeLogs.counts)}`
          : `${value.outputLines} output lines`;
        lines.push(
          `  ${pad(key, 22)} over all its cells: ${logged}${value.sample.length ? `: "${strip(value.sample[0]).slice(0, 100)}"` : ""}`,
        );
      }
    }
  }
  return lines.join("\n");
}

// ANSI colour codes out, for the table.
function strip(text) {
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}

function runtimeRank(runtime) {
  return ["wrangler-dev", "wrangler-dev-direct", "miniflare", "node"].indexOf(runtime);
}
