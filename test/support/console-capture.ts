/** Capturing everything the Worker writes to the console during a test, as text lines. */
import { afterEach, beforeEach, vi } from "vitest";

/**
 * Registers hooks that capture every console line of each test; returns a function giving the
 * current test's lines.
 */
export function captureConsoleLines(): () => string[] {
  let lines: string[] = [];
  beforeEach(() => {
    lines = [];
    for (const level of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        lines.push(args.map((arg) => (typeof arg === "string" ? arg : JSON.stringify(arg))).join(" "));
      });
    }
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  return () => lines;
}
