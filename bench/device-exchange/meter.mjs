// How the device bench measures a cell: a window that counts requests and reads the CPU of the
// server's processes from /proc, and a closed loop of workers inside one. The load generator
// shares the machine's cores with the server and with other jobs, so each window also says how
// many cores everything else took meanwhile: a ratio is only as good as the quiet around it.
import { performance } from "node:perf_hooks";
import { cpuBetween, machineBusySeconds, sampleCpu } from "../lib/proc.mjs";

/**
 * A meter for cells on `client`: `processes` are the server's (bench/lib/proc.mjs's `classify`),
 * `concurrency` the closed loop's workers, `warmupMs` and `durationMs` its default window.
 */
export function meter({ client, processes, concurrency, warmupMs, durationMs }) {
  /** A window of measurement: requests counted in it, CPU by process, other jobs' cores. */
  function window() {
    const start = performance.now();
    const before = { cpu: sampleCpu(processes), loadgen: process.cpuUsage(), machine: machineBusySeconds() };
    return {
      close(label, requests) {
        const seconds = (performance.now() - start) / 1000;
        const spent = cpuBetween(before.cpu, sampleCpu(processes));
        const loadgen = process.cpuUsage(before.loadgen);
        const serverSeconds = Object.values(spent).reduce((a, b) => a + b, 0);
        const loadgenSeconds = (loadgen.user + loadgen.system) / 1e6;
        // Cores that every other process on the machine used meanwhile: another job's share.
        const others = Math.max(0, machineBusySeconds() - before.machine - serverSeconds - loadgenSeconds) / seconds;
        const cell = {
          label,
          requests,
          seconds,
          rate: requests / seconds,
          workerCpuMs: ((spent.worker ?? 0) * 1000) / requests,
          serverCpuMs: (serverSeconds * 1000) / requests,
          others,
        };
        console.log(
          `${label.padEnd(22)} ${cell.rate.toFixed(0).padStart(5)} req/s ${cell.workerCpuMs.toFixed(2).padStart(6)} ms worker CPU/req` +
            `  (${requests} in ${seconds.toFixed(1)} s; other jobs ${others.toFixed(1)} cores)`,
        );
        return cell;
      },
    };
  }

  /**
   * `concurrency` workers in a closed loop: worker `w` sends `request(w)` (undefined: no more
   * work) and `expected(w, response)` says whether the answer is right. A wrong one ends the whole
   * cell: from then on it would measure another path than the one its label names. The window
   * opens after the warm-up and closes after `durationMs` or when the work runs out.
   */
  async function closedLoop(label, request, expected, { warmup = warmupMs, duration = durationMs } = {}) {
    let counted = 0;
    let measuring;
    let cell;
    let stopping = false;
    let wrong;
    const close = () => {
      stopping = true;
      if (measuring !== undefined && cell === undefined) cell = measuring.close(label, counted);
    };
    const opening = setTimeout(() => (measuring = window()), warmup);
    const closing = setTimeout(close, warmup + duration);
    await Promise.all(
      Array.from({ length: concurrency }, async (_, worker) => {
        while (!stopping) {
          const spec = request(worker);
          if (spec === undefined) return;
          const response = await client.request("POST", spec.path, { headers: spec.headers, body: spec.body });
          if (!expected(worker, response)) {
            wrong ??= `${response.status} ${response.body.slice(0, 200)}`;
            stopping = true;
            return;
          }
          if (measuring !== undefined && !stopping) counted++;
        }
      }),
    );
    close();
    clearTimeout(opening);
    clearTimeout(closing);
    if (wrong !== undefined) throw new Error(`${label}: an unexpected answer: ${wrong}`);
    if (cell === undefined) throw new Error(`${label}: the work ran out before the window opened`);
    return cell;
  }

  return { window, closedLoop };
}
