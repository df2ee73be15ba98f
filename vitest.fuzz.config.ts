/**
 * `npm run test:fuzz`: the fuzz properties of test/fuzz with many more runs than `npm test`
 * gives them. FUZZ_RUNS (default 5000) sets the runs per property and FUZZ_SEED replays a
 * reported failure. The tests run inside workerd, where this process's environment does not
 * reach, so the values travel through vitest's `provide`.
 */
import { mergeConfig } from "vitest/config";
import base from "./vitest.config";

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

const seed = process.env.FUZZ_SEED;

export default mergeConfig(base, {
  test: {
    provide: {
      fuzzRuns: positiveInteger("FUZZ_RUNS", 5000),
      ...(seed !== undefined && seed !== "" && { fuzzSeed: Number(seed) }),
    },
  },
});
