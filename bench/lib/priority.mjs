// `--priority`: raises the CPU priority of the benchmark and its servers above other jobs on the
// machine. On Linux with autogroup scheduling (sched_autogroup_enabled = 1), CPU is first shared
// between sessions, so a process's nice value alone matters only inside its own session: each
// server runs in a session of its own (it is started detached), and that session's autogroup
// gets the same raise. Needs the right to raise priority (root, or CAP_SYS_NICE).
import { writeFileSync } from "node:fs";
import os from "node:os";

const NICE = -10;

/** Raises `pid` (0: this process) and its session's autogroup; returns what failed, if anything. */
export function raisePriority(pid = 0) {
  const failures = [];
  try {
    os.setPriority(pid, NICE);
  } catch (error) {
    failures.push(`nice: ${error.code ?? error.message}`);
  }
  try {
    writeFileSync(`/proc/${pid === 0 ? "self" : pid}/autogroup`, String(NICE));
  } catch (error) {
    // No autogroup scheduling here (or no right to change it): the nice value is all there is.
    if (error.code !== "ENOENT") failures.push(`autogroup: ${error.code ?? error.message}`);
  }
  return failures;
}
