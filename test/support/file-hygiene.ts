/**
 * Run before every test file. The files of a project share their workerd runtime (`isolate:
 * false` in vitest.config.ts): one file's storage, module state and globals are there for the
 * next. So each file hands the next a real clock and unmocked globals, whatever its own tests
 * did; state a test reads is its own by construction (random client ids, a source address per
 * request, objects and records compared before and after). The few that need a runtime of their
 * own are listed in vitest.config.ts.
 */
import { afterAll, vi } from "vitest";

afterAll(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});
