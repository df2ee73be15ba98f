/**
 * The Worker's log lines during a fuzz run. Info and warning lines (one per request) are dropped,
 * or a long run would print hundreds of thousands of them; error lines are kept, since Baton
 * logs at error level only for its own faults, which no input may cause.
 */
import { vi } from "vitest";

/** Captures the log until `release` is called. */
export function captureLogs(): { errors: string[]; release: () => void } {
  const errors: string[] = [];
  const spies = [
    vi.spyOn(console, "log").mockImplementation(() => {}),
    vi.spyOn(console, "info").mockImplementation(() => {}),
    vi.spyOn(console, "warn").mockImplementation(() => {}),
    vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
      errors.push(args.map(String).join(" "));
    }),
  ];
  return { errors, release: () => spies.forEach((spy) => spy.mockRestore()) };
}
