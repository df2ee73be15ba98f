/**
 * The line of changes in a grant's object (Grant.exclusively): each change runs after the one
 * before it has settled, a failure does not stop the line, and a change that never settles
 * resets the object after 30 s, as blockConcurrencyWhile's limit did.
 */
import { runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { newTestSid, grantStub } from "../support/families";

interface Line {
  exclusively<T>(work: () => Promise<T>): Promise<T>;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("a grant's line of changes", () => {
  it("runs each change after the one before it has settled, a failed one included", async () => {
    const order = await runInDurableObject(grantStub(await newTestSid()), async (instance) => {
      const line = instance as unknown as Line;
      const steps: string[] = [];
      let release!: () => void;
      const first = line.exclusively(async () => {
        steps.push("first starts");
        await new Promise<void>((resolve) => (release = resolve));
        steps.push("first ends");
        throw new Error("first fails");
      });
      const second = line.exclusively(async () => {
        steps.push("second runs");
        return "second";
      });
      // Let every pending callback run: the second must still be waiting for the first.
      await new Promise((resolve) => setTimeout(resolve, 20));
      steps.push("first released");
      release();
      await expect(first).rejects.toThrow("first fails");
      await expect(second).resolves.toBe("second");
      return steps;
    });
    expect(order).toEqual(["first starts", "first released", "first ends", "second runs"]);
  });

  it("resets the object when a change has not settled after 30 s, and not before", async () => {
    const aborted = await runInDurableObject(grantStub(await newTestSid()), async (instance, state) => {
      const line = instance as unknown as Line;
      const abort = vi.spyOn(state, "abort").mockImplementation(() => {});
      vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
      void line.exclusively(() => new Promise(() => {}));
      await vi.advanceTimersByTimeAsync(29_999);
      const early = abort.mock.calls.length;
      await vi.advanceTimersByTimeAsync(1);
      return { early, late: abort.mock.calls.map((call) => String(call[0])) };
    });
    expect(aborted.early).toBe(0);
    expect(aborted.late).toEqual(["a change of this grant took longer than 30 s"]);
  });

  it("leaves no timer behind a change that settles", async () => {
    const calls = await runInDurableObject(grantStub(await newTestSid()), async (instance, state) => {
      const line = instance as unknown as Line;
      const abort = vi.spyOn(state, "abort").mockImplementation(() => {});
      vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
      await line.exclusively(async () => "done");
      await vi.advanceTimersByTimeAsync(60_000);
      return abort.mock.calls.length;
    });
    expect(calls).toBe(0);
  });
});
