/**
 * Moving the clock: `Date` faked (the Worker, its objects and the tests share one isolate here,
 * so all of them see it), undone by `vi.useRealTimers()` after each test.
 */
import { vi } from "vitest";

/** Moves the clock `seconds` ahead, as waiting would have. */
export function waitSeconds(seconds: number): void {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(Date.now() + seconds * 1000);
}
