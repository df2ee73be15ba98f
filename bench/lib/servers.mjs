// Starting and stopping the servers under test, each as its own process tree on 127.0.0.1:
// a Worker under `wrangler dev` (observability off, --log-level warn), the same bundle directly
// under Miniflare's API, or a Node server. Each resolves to
// `{ url, root, proxyPort?, output(), logs(), stop() }`.
import { execFile, fork, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "../../scripts/dev-server.mjs";
import { REPO_ROOT, NODE } from "./paths.mjs";

const run = promisify(execFile);

/** Environment for wrangler: offline, no metrics, no per-request observability trace. */
export const WRANGLER_ENV = {
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  X_LOCAL_OBSERVABILITY: "false",
};

/** Bundles a Worker offline with `wrangler deploy --dry-run`; resolves to the bundle's path. */
export async function bundle(configPath, outdir) {
  await run(
    NODE,
    [
      join(REPO_ROOT, "node_modules/wrangler/bin/wrangler.js"),
      "deploy",
      "--dry-run",
      "--config",
      configPath,
      "--outdir",
      outdir,
    ],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, ...WRANGLER_ENV, PATH: `${join(REPO_ROOT, "node_modules/.bin")}:${process.env.PATH}` },
    },
  );
  return join(outdir, "index.js");
}

/** Writes settings as a dotenv file for `wrangler dev --env-file`. */
function envFile(dir, settings) {
  const file = join(dir, "vars.env");
  writeFileSync(
    file,
    Object.entries(settings)
      .map(([k, v]) => `${k}='${v}'`)
      .join("\n") + "\n",
  );
  return file;
}

/** Starts a Worker under `wrangler dev` on a free port, with its own state directory. */
export async function startWranglerDev({ configPath, settings, probe }) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "baton-bench-wd-"));
  const child = spawn(
    join(REPO_ROOT, "node_modules/.bin/wrangler"),
    [
      "dev",
      "--config",
      configPath,
      "--port",
      String(port),
      "--ip",
      "127.0.0.1",
      "--persist-to",
      join(dir, "state"),
      "--env-file",
      envFile(dir, settings),
      "--log-level",
      "warn",
      "--show-interactive-dev-session=false",
    ],
    {
      cwd: REPO_ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...WRANGLER_ENV, PATH: `${join(REPO_ROOT, "node_modules/.bin")}:${process.env.PATH}` },
    },
  );
  return finishStart({ child, port, dir, probe, proxyPort: port });
}

/**
 * Starts a bundled Worker directly under Miniflare (see miniflare-host.mjs), with its state in
 * `persistTo` when given (else a fresh directory). `probe: false` waits for the runtime to
 * listen without sending it a request, so that the caller's first request is the isolate's.
 */
export async function startMiniflare({ configPath, scriptPath, settings, probe, inspectorPort, persistTo }) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "baton-bench-mf-"));
  const specFile = join(dir, "spec.json");
  const stateDir = persistTo ?? join(dir, "state");
  writeFileSync(
    specFile,
    JSON.stringify({ configPath, scriptPath, bindings: settings, port, persistTo: stateDir, inspectorPort }),
  );
  const child = fork(join(import.meta.dirname, "miniflare-host.mjs"), [specFile], {
    cwd: REPO_ROOT,
    execPath: NODE,
    detached: true,
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    env: { ...process.env, ...WRANGLER_ENV },
  });
  return finishStart({ child, port, dir, probe, ipc: true, stateDir });
}

/** Starts a Node server script that listens on the port given in PORT. */
export async function startNodeServer({ script, settings = {}, probe }) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "baton-bench-node-"));
  const child = spawn(NODE, [script], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...settings, PORT: String(port), NODE_ENV: "production" },
  });
  return finishStart({ child, port, dir, probe });
}

async function finishStart({ child, port, dir, probe, proxyPort, ipc = false, stateDir }) {
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  if (probe === false) {
    await new Promise((resolve, reject) => {
      child.on("message", (message) => message.type === "ready" && resolve());
      child.once("exit", () => reject(new Error(`server exited early:\n${output}`)));
    });
  }
  for (; probe !== false;) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${output}`);
    try {
      const response = await fetch(url + probe.path, { method: probe.method ?? "GET" });
      await response.arrayBuffer();
      break;
    } catch {
      if (Date.now() > deadline) {
        killGroup(child, "SIGKILL");
        throw new Error(`server did not answer within 60 s:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  const outputMark = output.length;
  return {
    url,
    root: child.pid,
    proxyPort,
    /** Where the runtime keeps its state on disk (Miniflare run directly). */
    stateDir,
    /** What the server printed since it answered its first request. */
    output: () => output.slice(outputMark),
    /** Log lines counted by the Miniflare host (structured runtime logs), when run directly. */
    logs: () =>
      ipc
        ? new Promise((resolve) => {
            const listener = (message) => {
              if (message.type !== "logs") return;
              child.off("message", listener);
              resolve(message.logs);
            };
            child.on("message", listener);
            child.send({ type: "logs" });
          })
        : Promise.resolve(undefined),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        killGroup(child, "SIGTERM");
        const timer = setTimeout(() => killGroup(child, "SIGKILL"), 5000);
        await exited;
        clearTimeout(timer);
      }
      // workerd may outlive its parent for a moment; the group is ours alone.
      killGroup(child, "SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The URL of the Worker's own workerd under `wrangler dev`, behind wrangler's proxy: the port of
 * the workerd that is not the proxy which answers HTTP and is not its DevTools inspector.
 * Requests sent there skip the proxy, as production has none.
 */
export async function bypassProxy(server) {
  const { classify, listeningPorts } = await import("./proc.mjs");
  const worker = classify(server.root, { proxyPort: server.proxyPort }).find((p) => p.role === "worker");
  for (const port of worker ? listeningPorts(worker.pid) : []) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/json/version`, { signal: AbortSignal.timeout(2000) });
      const text = await response.text();
      if (!text.includes("Protocol-Version")) return `http://127.0.0.1:${port}`;
    } catch {
      // Not an HTTP socket.
    }
  }
  throw new Error("no port of the Worker's workerd answers HTTP");
}

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}
