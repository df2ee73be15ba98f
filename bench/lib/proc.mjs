// CPU time of a server's processes, read from /proc (Linux only): a process tree is walked from
// its root, and each process's user + system time (all threads) is sampled before and after a
// measurement window.
import { readFileSync, readdirSync, readlinkSync } from "node:fs";

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux ABI in use.

/** Fields of /proc/PID/stat after the command name (which may hold spaces and parentheses). */
function statFields(pid) {
  const text = readFileSync(`/proc/${pid}/stat`, "utf8");
  return text.slice(text.lastIndexOf(")") + 2).split(" ");
}

/** User + system CPU seconds of one process (every thread), or undefined once it is gone. */
export function cpuSeconds(pid) {
  try {
    const fields = statFields(pid);
    // utime and stime are fields 14 and 15 of stat(5); index 0 here is field 3.
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** The command line of a process, as its argument list. */
export function commandLine(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  } catch {
    return [];
  }
}

/** `root` and all its descendants, as PIDs. */
export function processTree(root) {
  const children = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const parent = Number(statFields(entry)[1]);
      if (!children.has(parent)) children.set(parent, []);
      children.get(parent).push(Number(entry));
    } catch {
      // The process ended while the table was read.
    }
  }
  const tree = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift();
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/**
 * Names the processes of a server tree by role:
 * - under `wrangler dev`, the `workerd` whose entry socket is the public port is its proxy
 *   (`proxy`); pass that port as `proxyPort` (Miniflare run directly has no proxy);
 * - any other `workerd` is the Worker's own runtime (`worker`);
 * - `node` is wrangler, the Miniflare host or a Node server;
 * - `redis` is a redis-server a Node server started for its store;
 * - anything else (esbuild's service) is `other`.
 */
export function classify(root, { proxyPort } = {}) {
  return processTree(root).map((pid) => {
    const argv = commandLine(pid);
    const exe = (argv[0] ?? "").split("/").pop();
    let role = "other";
    if (exe === "workerd") {
      const isProxy = proxyPort !== undefined && argv.includes(`--socket-addr=entry=127.0.0.1:${proxyPort}`);
      role = isProxy ? "proxy" : "worker";
    } else if (exe === "node") {
      role = "node";
    } else if (exe.startsWith("redis-server")) {
      // redis-server retitles itself "redis-server ADDRESS".
      role = "redis";
    }
    return { pid, role };
  });
}

/** Samples the CPU seconds of every process, summed by role. */
export function sampleCpu(processes) {
  const byRole = {};
  const byPid = {};
  for (const { pid, role } of processes) {
    const seconds = cpuSeconds(pid) ?? 0;
    byPid[pid] = seconds;
    byRole[role] = (byRole[role] ?? 0) + seconds;
  }
  return { byRole, byPid };
}

/** CPU seconds spent between two samples, by role. */
export function cpuBetween(before, after) {
  const spent = {};
  for (const [role, seconds] of Object.entries(after.byRole)) {
    spent[role] = seconds - (before.byRole[role] ?? 0);
  }
  return spent;
}

/** The TCP ports a process listens on (from /proc/PID/fd and /proc/net/tcp). */
export function listeningPorts(pid) {
  const inodes = new Set();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (match) inodes.add(match[1]);
      } catch {
        // The descriptor closed while the table was read.
      }
    }
  } catch {
    return [];
  }
  const ports = [];
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of readFileSync(file, "utf8").split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is HEX_IP:HEX_PORT; state 0A is LISTEN; field 9 is the inode.
      if (fields.length > 9 && fields[3] === "0A" && inodes.has(fields[9])) {
        ports.push(parseInt(fields[1].split(":")[1], 16));
      }
    }
  }
  return ports;
}

/** Resident memory of one process in bytes (VmRSS), or undefined once it is gone. */
export function residentBytes(pid) {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** CPU seconds the whole machine has spent busy (all cores), from /proc/stat. */
export function machineBusySeconds() {
  const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0];
  // user nice system idle iowait irq softirq steal ...: everything but idle and iowait is busy.
  const [user, nice, system, _idle, _iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND;
}

/** Cores busy on this machine over one second, all our servers idle: what others are using. */
export async function otherLoad() {
  const before = machineBusySeconds();
  await new Promise((r) => setTimeout(r, 1000));
  return machineBusySeconds() - before;
}
