// A throwaway Redis for one benchmark server: `redis-server` (Debian's package) on a free
// loopback port, with its data in a fresh temporary directory, durable as Redis is deployed for
// an authorization server's state: the append-only file on with its default fsync policy
// (`everysec`: at most a second of writes lost on a crash), no RDB snapshots. It is started in
// the foreground as a child of the caller, so that it is in the caller's process tree (and
// process group), where lib/proc.mjs counts its CPU with the server's.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../scripts/dev-server.mjs";

/** Where Debian's `redis-server` package puts the server. */
export const REDIS_SERVER = "/usr/bin/redis-server";

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

/**
 * Starts `redis-server` on 127.0.0.1 and waits until it answers PING.
 *
 * @param {object} [options]
 * @param {string} [options.binary] the server's path (default {@link REDIS_SERVER})
 * @param {"everysec" | "always"} [options.appendfsync] when the append-only file is flushed:
 *   once a second in the background (Redis's default), or before each write is answered
 * @returns {Promise<{ url: string, port: number, pid: number, dir: string, stop(): Promise<void>, kill(): void }>}
 *   `url` for a client (`redis://127.0.0.1:PORT`); `dir` holds the append-only file
 *   (`appendonlydir/` since Redis 7) and the log; `stop()` ends the server with SIGTERM (it
 *   flushes the append-only file) and removes `dir`; `kill()` is a synchronous SIGKILL, for an
 *   `exit` handler.
 */
export async function startRedis({ binary = REDIS_SERVER, appendfsync = "everysec" } = {}) {
  if (!existsSync(binary)) {
    throw new Error(`${binary} not found: install Redis with \`apt-get install redis-server\``);
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "baton-bench-redis-"));
  const logfile = join(dir, "redis.log");
  const child = spawn(
    binary,
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--protected-mode",
      "no",
      "--daemonize",
      "no",
      "--dir",
      dir,
      "--appendonly",
      "yes",
      "--appendfsync",
      appendfsync,
      "--save",
      "",
      "--logfile",
      logfile,
      "--loglevel",
      "warning",
    ],
    { stdio: "ignore" },
  );
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const log = () => (existsSync(logfile) ? readFileSync(logfile, "utf8").slice(-2000) : "");

  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(kill, STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`redis-server exited early (${child.exitCode ?? child.signalCode}):\n${log()}`);
    }
    if (await answersPing(port)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server did not answer PING within ${START_TIMEOUT_MS} ms:\n${log()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url: `redis://127.0.0.1:${port}`, port, pid: child.pid, dir, stop, kill };
}

/** Whether a Redis on 127.0.0.1:`port` answers an inline PING with +PONG (a raw socket). */
function answersPing(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    let reply = "";
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      reply += chunk;
      // "-LOADING ..." while the append-only file is read back: not ready yet.
      if (reply.includes("\r\n")) done(reply.startsWith("+PONG"));
    });
  });
}
