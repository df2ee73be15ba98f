// The two cells of a device that waits for its person, on the codes nobody answers: each code
// polled once from an object the runtime had evicted (cold), then polled as devices poll
// (warm). The warm cell is paced, not a closed loop: a device that polled sooner than its
// interval would be told to slow down, which is the poll cell's path, not this one's.
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { refused } from "./fixtures.mjs";
import { watched } from "./storage.mjs";

// A device's polling period in the warm cell: the 5 s interval and a margin, since Baton's clock
// counts whole seconds.
const PERIOD_MS = 5_200;

/**
 * Runs the cold cell, then the warm one, on `devices` (codes whose objects have been idle long
 * enough to be evicted) with `meter` (./meter.mjs).
 * @returns `{ cold, warm }`, each cell with its storage `changes`
 */
export async function pendingCells({ meter, stateDir }, clients, devices) {
  const pending = refused("authorization_pending");

  // Each device code once, however long that takes; when each was polled is kept for the warm
  // cell, whose polls must not come early.
  const lastPoll = new Array(devices.length);
  let next = 0;
  const cold = await watched(stateDir, () =>
    meter.closedLoop(
      "pending, cold",
      () => {
        if (next >= devices.length) return undefined;
        const index = next++;
        lastPoll[index] = performance.now();
        return clients.poll(devices[index]);
      },
      pending,
      { warmup: 0, duration: 120_000 },
    ),
  );

  // Each code every PERIOD_MS, twice, spread evenly; never sooner than PERIOD_MS after its
  // previous poll.
  const warm = await watched(stateDir, async () => {
    const begin = performance.now();
    const measuring = meter.window();
    const inFlight = [];
    let wrong;
    for (let k = 0; k < 2 * devices.length; k++) {
      const index = k % devices.length;
      const due = Math.max(begin + (k * PERIOD_MS) / devices.length, lastPoll[index] + PERIOD_MS);
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      lastPoll[index] = performance.now();
      inFlight.push(
        clients.pollOnce(devices[index]).then((response) => {
          if (!pending(index, response)) wrong ??= `${response.status} ${response.body}`;
        }),
      );
    }
    await Promise.all(inFlight);
    if (wrong !== undefined) throw new Error(`pending, warm: an unexpected answer: ${wrong}`);
    return measuring.close("pending, warm (paced)", inFlight.length);
  });

  return { cold, warm };
}
