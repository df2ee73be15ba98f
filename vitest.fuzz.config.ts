import { mergeConfig } from "vitest/config";
import base from "./vitest.config";
export default mergeConfig(base, { test: { provide: { fuzzRuns: Number(process.env.FUZZ_RUNS ?? 5000) } } });
