// The load generator: K refresh chains in a closed loop. Each chain sends one request at a time
// and builds the next from the answer (the refresh token it returned), so a chain is exactly
// what one client session does when it refreshes as fast as it can. A failed request ends its
// chain: the token it carried may be spent, and guessing would measure something else.
import { performance } from "node:perf_hooks";

/**
 * Runs `tokens.length` chains for `warmupMs` + `durationMs`, and measures the second part.
 *
 * @param {object} options
 * @param {ReturnType<import("./http.mjs").httpClient>} options.client
 * @param {string[]} options.tokens the first token of each chain
 * @param {(token: string) => {method: string, path: string, headers?: object, body?: string}} options.request
 * @param {(response: {status: number, body: string}) => string | undefined} options.nextToken
 *   the token for the next request, or undefined when the answer is not a success
 * @param {() => object} options.sample read at the start and end of the measured window (CPU)
 * @param {number} options.maxRequests a bound on the whole run, whatever the duration
 */
export async function runChains({ client, tokens, request, nextToken, warmupMs, durationMs, sample, maxRequests }) {
  const capacity = maxRequests;
  const completedAt = new Float64Array(capacity);
  const latency = new Float64Array(capacity);
  let recorded = 0;
  const errors = [];
  let stopping = false;
  let windowStart;
  let windowEnd;
  let before;
  let after;

  const t0 = performance.now();
  const startTimer = setTimeout(() => {
    windowStart = performance.now();
    before = sample();
  }, warmupMs);
  const endTimer = setTimeout(() => {
    windowEnd = performance.now();
    after = sample();
    stopping = true;
  }, warmupMs + durationMs);
  // Belt and braces: the run ends even if a timer is starved.
  const deadline = t0 + warmupMs + durationMs + 60_000;

  async function chain(token) {
    while (!stopping && recorded < capacity && performance.now() < deadline) {
      const spec = await request(token);
      const started = performance.now();
      let response;
      try {
        response = await client.request(spec.method, spec.path, { headers: spec.headers, body: spec.body });
      } catch (error) {
        errors.push({ at: performance.now(), kind: error.message });
        return false;
      }
      const done = performance.now();
      const next = response.status === 200 ? nextToken(response) : undefined;
      if (next === undefined) {
        errors.push({ at: done, kind: `${response.status} ${response.body.slice(0, 160)}` });
        return false;
      }
      if (recorded < capacity) {
        completedAt[recorded] = done;
        latency[recorded] = done - started;
        recorded++;
      }
      token = next;
    }
    return true;
  }

  const outcomes = await Promise.all(tokens.map(chain));
  clearTimeout(startTimer);
  clearTimeout(endTimer);
  if (after === undefined) {
    // The bound on requests was reached first: the window ends now.
    windowEnd = performance.now();
    after = sample();
  }
  if (before === undefined) throw new Error("the run ended before its measured window began");

  const inWindow = [];
  for (let i = 0; i < recorded; i++) {
    if (completedAt[i] >= windowStart && completedAt[i] <= windowEnd) inWindow.push(latency[i]);
  }
  inWindow.sort((a, b) => a - b);
  const seconds = (windowEnd - windowStart) / 1000;
  const windowErrors = errors.filter((e) => e.at >= windowStart && e.at <= windowEnd);
  return {
    seconds,
    requests: inWindow.length,
    rps: inWindow.length / seconds,
    p50: percentile(inWindow, 0.5),
    p95: percentile(inWindow, 0.95),
    p99: percentile(inWindow, 0.99),
    errors: errors.length,
    errorsInWindow: windowErrors.length,
    errorKinds: summarise(errors),
    chains: tokens.length,
    chainsAlive: outcomes.filter(Boolean).length,
    before,
    after,
  };
}

function percentile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function summarise(errors) {
  const kinds = {};
  for (const { kind } of errors) kinds[kind] = (kinds[kind] ?? 0) + 1;
  return kinds;
}
