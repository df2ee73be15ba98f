// The load generator: K chains in a closed loop. Each chain performs one operation at a time and
// builds the next from the state the last one left (the refresh token it returned, say), so a
// chain is exactly what one client session does when it works as fast as it can. A failed
// operation ends its chain: the token it carried may be spent, and guessing would measure
// something else. A chain whose `budget` of operations is used up (a pool of tokens to revoke,
// say) stops and is counted as `exhausted`.
import { performance } from "node:perf_hooks";

/**
 * Runs `states.length` chains for `warmupMs` + `durationMs`, and measures the second part.
 *
 * @param {object} options
 * @param {unknown[]} options.states the first state of each chain (what `openChain` returned)
 * @param {(state: unknown) => Promise<{state: unknown} | {error: string}>} options.step one
 *   operation (one or more requests); resolves to the chain's next state, or to an error
 * @param {number} [options.budget] operations each chain may perform at most
 * @param {() => object} options.sample read at the start and end of the measured window (CPU)
 * @param {number} options.maxRequests a bound on the whole run, whatever the duration
 */
export async function runChains({ states, step, warmupMs, durationMs, sample, maxRequests, budget = Infinity }) {
  const capacity = maxRequests;
  const completedAt = new Float64Array(capacity);
  const latency = new Float64Array(capacity);
  let recorded = 0;
  let exhausted = 0;
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

  // Where each chain ended: its last state, for a caller that goes on with it (a refresh token
  // that is still current, say); undefined for a chain that failed.
  const finalStates = new Array(states.length);
  async function chain(state, index) {
    finalStates[index] = state;
    for (let done = 0; !stopping && recorded < capacity && performance.now() < deadline; done++) {
      if (done >= budget) {
        exhausted++;
        return true;
      }
      const started = performance.now();
      let outcome;
      try {
        outcome = await step(state);
      } catch (error) {
        outcome = { error: error.message };
      }
      const finished = performance.now();
      if ("error" in outcome) {
        errors.push({ at: finished, kind: String(outcome.error).slice(0, 200) });
        finalStates[index] = undefined;
        return false;
      }
      if (recorded < capacity) {
        completedAt[recorded] = finished;
        latency[recorded] = finished - started;
        recorded++;
      }
      state = outcome.state;
      finalStates[index] = state;
    }
    return true;
  }

  const outcomes = await Promise.all(states.map(chain));
  clearTimeout(startTimer);
  clearTimeout(endTimer);
  if (after === undefined) {
    // The bound on requests was reached first, or every chain stopped: the window ends now.
    windowEnd = performance.now();
    after = sample();
  }
  if (before === undefined) {
    // Whether every chain ran out of its budget (too small for this route) or failed, says the error.
    throw Object.assign(new Error("the run ended before its measured window began"), {
      chains: states.length,
      exhausted,
      errorKinds: summarise(errors),
    });
  }

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
    chains: states.length,
    chainsAlive: outcomes.filter(Boolean).length,
    exhausted,
    finalStates,
    before,
    after,
  };
}

/**
 * The `step` of a route written as one request per operation (`request(ctx)` builds it from the
 * chain's token, `nextToken` reads the next token from a 200 answer).
 */
export function requestStep(client, route, ctx) {
  const build = route.request(ctx);
  return async (token) => {
    const spec = await build(token);
    const response = await client.request(spec.method, spec.path, { headers: spec.headers, body: spec.body });
    const next = response.status === 200 ? route.nextToken(response) : undefined;
    return next === undefined ? { error: `${response.status} ${response.body.slice(0, 160)}` } : { state: next };
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

/** `route` with a chain's state being several of its states, each operation on the first, which then goes last. */
export function rotating(route) {
  const steps = new WeakMap();
  const stepFor = (client, ctx) => {
    if (route.step) return (state) => route.step(client, ctx, state);
    if (!steps.has(client)) steps.set(client, requestStep(client, route, ctx));
    return steps.get(client);
  };
  return {
    ...route,
    async step(client, ctx, [first, ...rest]) {
      const result = await stepFor(client, ctx)(first);
      return "error" in result ? result : { state: [...rest, result.state] };
    },
  };
}
