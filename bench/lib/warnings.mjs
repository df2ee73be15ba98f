// What a request's body reading and logging cost on a runtime: short closed-loop runs of the
// ceiling Worker's trivial route, reading the form body each way, counting what the server
// printed (wrangler dev at --log-level warn) or what Miniflare's runtime logged, with CPU per
// request. `warn` is the control (one warning per request on purpose, so it must show up), and
// `log` prices one info line per request like Baton's.
import { measureCell } from "./measure.mjs";
import { refreshRequest } from "../targets/common.mjs";

const WAYS = ["warn", "log", "formData", "text", "arrayBuffer", "reader"];

export async function checkBodyAndLogs({ server, route, ctx, concurrency, warmupMs, durationMs }) {
  const results = {};
  for (const way of WAYS) {
    const variant = { ...route, request: (c) => refreshRequest(`/trivial?read=${way}`, c.clientId, c.clientSecret) };
    const outputBefore = server.output().length;
    const logsBefore = await server.logs();
    const cell = await measureCell({ server, route: variant, ctx, concurrency, warmupMs, durationMs });
    await new Promise((r) => setTimeout(r, 300));
    const lines = server
      .output()
      .slice(outputBefore)
      .split("\n")
      .filter((line) => line.trim() !== "");
    const logsAfter = await server.logs();
    const runtimeLogs = logsAfter === undefined ? undefined : difference(logsAfter.counts, logsBefore.counts);
    const sent = cell.requests; // in the window; lines count the whole run, warm-up included
    results[way] = {
      rps: cell.rps,
      requestsMeasured: sent,
      outputLines: lines.length,
      runtimeLogs,
      sample: [...new Set(lines)].slice(0, 2),
      cpuMsPerRequest: cell.cpuMsPerRequest,
      errors: cell.errors,
    };
  }
  return results;
}

function difference(after, before) {
  const out = {};
  for (const [level, count] of Object.entries(after)) out[level] = count - (before[level] ?? 0);
  return out;
}
