// Turns the cells of a run into averages, Baton's ratios, the targets' verdicts and one table.

const BATON = "baton";
const DISTURBED = 0.3;

function mean(values) {
  const finite = values.filter(Number.isFinite);
  return finite.length ? finite.reduce((a, b) => a + b, 0) / finite.length : NaN;
}

/** Averages repeats: one row per route, runtime and concurrency. */
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
    for (const role of roles) cpu[role] = mean(runs.map((r) => r.cpuMsPerRequest[role]));
    return {
      route: first.route,
      label: first.label,
      algorithm: first.algorithm,
      runtime: first.runtime,
      concurrency: first.concurrency,
      repeats: runs.length,
      rps: mean(runs.map((r) => r.rps)),
      rpsMin: Math.min(...runs.map((r) => r.rps)),
      rpsMax: Math.max(...runs.map((r) => r.rps)),
      p50: mean(runs.map((r) => r.p50)),
      p95: mean(runs.map((r) => r.p95)),
      p99: mean(runs.map((r) => r.p99)),
      requests: runs.reduce((a, r) => a + r.requests, 0),
      errors: runs.reduce((a, r) => a + r.errors, 0),
      chains: first.chains,
      chainsAliveMin: Math.min(...runs.map((r) => r.chainsAlive)),
      cpuMsPerRequest: cpu,
      loadgenCpuMsPerRequest: mean(runs.map((r) => r.loadgenCpuMsPerRequest)),
      otherCores: Math.max(...runs.map((r) => r.otherCores)),
    };
  });
}

/** Averages, ratios and the targets' verdicts. */
export function summarise(results) {
  const rows = aggregate(results.cells);
  const find = (route, runtime, concurrency) =>
    rows.find((r) => r.route === route && r.runtime === runtime && r.concurrency === concurrency);
  for (const row of rows) {
    if (row.route === BATON) continue;
    if (row.runtime === "node") {
      row.batonRatio = {};
      for (const runtime of ["wrangler-dev", "miniflare"]) {
        const baton = find(BATON, runtime, row.concurrency);
        if (baton) row.batonRatio[runtime] = baton.rps / row.rps;
      }
    } else {
      const baton = find(BATON, row.runtime, row.concurrency);
      if (baton) row.batonRatio = { [row.runtime]: baton.rps / row.rps };
    }
  }

  const targets = [];
  for (const baton of rows.filter((r) => r.route === BATON)) {
    const { runtime, concurrency } = baton;
    const minimal = find("minimal", runtime, concurrency);
    if (minimal) {
      const ratio = baton.rps / minimal.rps;
      targets.push({
        target: "refresh rate >= minimal refresh",
        runtime,
        concurrency,
        ratio,
        want: ">= 1",
        met: ratio >= 1,
        disturbed: Math.max(baton.otherCores, minimal.otherCores) > DISTURBED,
      });
    }
    const wop = find("workers-oauth-provider", runtime, concurrency);
    if (wop) {
      const ratio = baton.rps / wop.rps;
      targets.push({
        target: "refresh rate >= 2x workers-oauth-provider",
        runtime,
        concurrency,
        ratio,
        want: ">= 2",
        met: ratio >= 2,
        disturbed: Math.max(baton.otherCores, wop.otherCores) > DISTURBED,
      });
    }
    const oidc = find("oidc-provider", "node", concurrency);
    if (oidc) {
      const ratio = baton.cpuMsPerRequest.worker / oidc.cpuMsPerRequest.node;
      targets.push({
        target: "CPU/refresh (Baton's workerd) <= oidc-provider's Node",
        runtime,
        concurrency,
        ratio,
        want: "<= 1",
        met: ratio <= 1,
        disturbed: Math.max(baton.otherCores, oidc.otherCores) > DISTURBED,
        detail: `${baton.cpuMsPerRequest.worker.toFixed(3)} ms vs ${oidc.cpuMsPerRequest.node.toFixed(3)} ms`,
      });
    }
  }
  const algorithms = aggregate(results.algorithms.map((a) => ({ ...a, route: BATON })));
  return { rows, targets, algorithms };
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
    `Each cell: ${results.settings.warmupMs / 1000} s warm-up + ${results.settings.durationMs / 1000} s measured, closed-loop refresh chains; ${results.settings.repeats} repeat(s), averaged (req/s range in brackets)${results.settings.priority ? "; run at raised CPU priority" : ""}.`,
  );
  lines.push(
    "CPU ms/req: worker = the Worker's workerd, proxy = wrangler dev's proxy workerd, node = wrangler / Miniflare host / Node server.",
  );
  lines.push(
    `others = cores used by other processes during the cell (worst repeat); "!" above ${DISTURBED}: the cell may have been disturbed` +
      (results.settings.priority ? " (with --priority, others mostly run in this run's idle gaps)." : "."),
  );
  lines.push("");
  const header =
    pad("route", 31) +
    pad("runtime", 13) +
    lpad("c", 3) +
    lpad("req/s", 8) +
    pad("  (min-max)", 16) +
    lpad("p50", 7) +
    lpad("p95", 7) +
    lpad("p99", 7) +
    lpad("err", 5) +
    lpad("alive", 7) +
    lpad("worker", 8) +
    lpad("proxy", 7) +
    lpad("node", 7) +
    lpad("total", 7) +
    lpad("others", 8) +
    "  Baton ×";
  lines.push(header);
  lines.push("-".repeat(header.length + 10));
  const order = [
    "baton",
    "baton-resource",
    "baton-dpop",
    "minimal",
    "trivial",
    "workers-oauth-provider",
    "oidc-provider",
  ];
  const sorted = [...rows].sort(
    (a, b) =>
      a.runtime.localeCompare(b.runtime) * 0 ||
      runtimeRank(a.runtime) - runtimeRank(b.runtime) ||
      a.concurrency - b.concurrency ||
      order.indexOf(a.route) - order.indexOf(b.route),
  );
  let previous;
  for (const row of sorted) {
    const group = `${row.runtime}|${row.concurrency}`;
    if (previous !== undefined && group !== previous) lines.push("");
    previous = group;
    const ratio =
      row.batonRatio === undefined
        ? ""
        : Object.entries(row.batonRatio)
            .map(([runtime, r]) => (row.runtime === "node" ? `${r.toFixed(2)} (${short(runtime)})` : r.toFixed(2)))
            .join(", ");
    lines.push(
      pad(row.label, 31) +
        pad(row.runtime, 13) +
        lpad(row.concurrency, 3) +
        lpad(row.rps.toFixed(0), 8) +
        pad(`  (${row.rpsMin.toFixed(0)}-${row.rpsMax.toFixed(0)})`, 16) +
        lpad(ms(row.p50), 7) +
        lpad(ms(row.p95), 7) +
        lpad(ms(row.p99), 7) +
        lpad(row.errors, 5) +
        lpad(`${row.chainsAliveMin}/${row.chains}`, 7) +
        lpad(cpu(row.cpuMsPerRequest.worker), 8) +
        lpad(cpu(row.cpuMsPerRequest.proxy), 7) +
        lpad(cpu(row.cpuMsPerRequest.node), 7) +
        lpad(cpu(row.cpuMsPerRequest.total), 7) +
        lpad(`${row.otherCores.toFixed(2)}${row.otherCores > DISTURBED ? "!" : " "}`, 8) +
        "  " +
        ratio,
    );
  }
  for (const f of results.failures ?? []) {
    lines.push(`FAILED: ${f.label} ${f.runtime} c=${f.concurrency} #${f.repeat}: ${f.error}`);
  }
  if (targets.length) {
    lines.push("");
    lines.push("Targets (ratios from this run):");
    for (const t of targets) {
      lines.push(
        `  ${t.met ? "MET   " : "MISSED"} ${pad(t.target, 54)} ${pad(t.runtime, 13)} c=${pad(t.concurrency, 3)} ` +
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
  return ["wrangler-dev", "miniflare", "node"].indexOf(runtime);
}

function short(runtime) {
  return runtime === "wrangler-dev" ? "wd" : "mf";
}
