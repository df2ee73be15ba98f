/**
 * How hard the fuzz properties run. `npm test` runs each property a modest number of times so
 * the suite stays fast; `npm run test:fuzz` (vitest.fuzz.config.ts) provides a far larger count,
 * and optionally a seed to replay a failure. Config files run in Node and tests in workerd, so
 * the values travel through vitest's `provide`/`inject`, not through environment variables.
 */
import { inject } from "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** Runs per property; absent in the ordinary test run. */
    fuzzRuns?: number;
    /** fast-check seed to replay a reported failure. */
    fuzzSeed?: number;
  }
}

/** Runs per property in `npm test`. */
const DEFAULT_RUNS = 200;

/**
 * The seed of the short run in `npm test`: the same requests every time, so that CI's verdict
 * never depends on whether 200 random draws happened to reach every outcome the test demands.
 * The long run draws a fresh seed each time (fast-check prints it on failure).
 */
const DEFAULT_SEED = 20261125;

/**
 * Runs per batch. Every batch starts from fresh clients and tokens, so a long run keeps reaching
 * live tokens (codes live 60 s, access tokens 5 min, the retry window 30 s).
 */
const BATCH_RUNS = 500;

/** Runs per property for this test run. */
export function fuzzRuns(): number {
  return inject("fuzzRuns") ?? DEFAULT_RUNS;
}

/** Whether this is the long run of `npm run test:fuzz`. */
export function isLongRun(): boolean {
  return inject("fuzzRuns") !== undefined;
}

/** fast-check parameters for one batch of `runs`. */
export function checkParameters(runs: number): { numRuns: number; seed?: number; endOnFailure: boolean } {
  const seed = inject("fuzzSeed") ?? (isLongRun() ? undefined : DEFAULT_SEED);
  // Shrinking replays requests against a grant that the failing run already changed, so it
  // rarely finds a smaller case and can take minutes: report the first failure as it is.
  return { numRuns: runs, endOnFailure: true, ...(seed !== undefined && { seed }) };
}

/** Splits `total` runs into batches and runs `batch` for each, one after another. */
export async function inBatches(total: number, batch: (runs: number) => Promise<void>): Promise<void> {
  for (let done = 0; done < total; done += BATCH_RUNS) await batch(Math.min(BATCH_RUNS, total - done));
}

/** A test timeout that grows with the number of runs (requests take milliseconds each). */
export function timeoutFor(runs: number, requestsPerRun = 1): number {
  return 30_000 + runs * requestsPerRun * 25;
}
