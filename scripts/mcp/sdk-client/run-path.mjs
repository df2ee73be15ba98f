// How one path of the MCP SDK check is run and reported: under its own deadline, so that a hang
// names the path and the step it stopped at instead of stalling the others, and with a failure
// line that says what the MCP server last refused, since the SDK's own error rarely says why.
import { performance } from "node:perf_hooks";

const PATH_TIMEOUT_MS = 15_000;

/**
 * Runs `body(step)` against the MCP server `mcp`; resolves `{ok, line}`. `body` resolves with a
 * summary for the passed line; `step(name)` names what it is doing, for the failure line.
 */
export async function runPath(mcp, name, body) {
  const t0 = performance.now();
  // Only the requests of this path explain its failure.
  const served = mcp.requests.length;
  let current = "start";
  const step = (what) => (current = what);
  let timer;
  try {
    const summary = await Promise.race([
      body(step),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no result within ${PATH_TIMEOUT_MS / 1000} s`)), PATH_TIMEOUT_MS);
      }),
    ]);
    return { ok: true, line: `${name}: passed in ${seconds(t0)} s (${summary})` };
  } catch (error) {
    // "no bearer token" is the SDK's first, expected 401 on every path: it explains nothing.
    const refusal = mcp.requests
      .slice(served)
      .filter((r) => r.refusal !== undefined && r.refusal !== "no bearer token")
      .at(-1)?.refusal;
    const why = refusal === undefined ? "" : ` (the MCP server last refused a token: ${refusal})`;
    return { ok: false, line: `${name}: FAILED at "${current}": ${describe(error)}${why}` };
  } finally {
    clearTimeout(timer);
  }
}

/** Seconds since `t0` (a performance.now() reading), to a tenth. */
export function seconds(t0) {
  return ((performance.now() - t0) / 1000).toFixed(1);
}

/** An error's class and code besides its message: the SDK's OAuth errors carry `errorCode`. */
function describe(error) {
  const name = error?.constructor?.name ?? "Error";
  const code = error?.errorCode ?? error?.code;
  return `${name}${code ? ` (${code})` : ""}: ${error?.message ?? error}`;
}
