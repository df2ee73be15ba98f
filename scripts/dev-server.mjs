// Starts an isolated `wrangler dev` (own port, own state directory, own keys and secrets)
// for integration checks and benchmarks, and stops it with its whole process group.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { randomSecret } from "./dev-vars.mjs";
import { generateSigningKey } from "./signing-keys.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * Every setting an isolated instance needs, fresh: one signing key of `algorithm`, a token
 * secret, an admin token, the development login; `vars` are added last and win.
 */
export async function devServerSettings({ algorithm = "ES256", vars = {} } = {}) {
  return {
    SIGNING_KEYS: JSON.stringify({ keys: [await generateSigningKey(algorithm)] }),
    TOKEN_SECRETS: randomSecret(),
    ADMIN_TOKEN: randomSecret(),
    DEV_LOGIN: "true",
    ...vars,
  };
}

/**
 * Starts Baton under `wrangler dev` and resolves once it answers.
 * @returns {{ url, adminToken, stateDir, process, stop }}
 */
export async function startDevServer({ algorithm = "ES256", vars = {}, stateDir, logLevel = "warn" } = {}) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "baton-dev-"));
  const state = stateDir ?? join(dir, "state");
  const envFile = join(dir, "vars.env");
  const settings = await devServerSettings({ algorithm, vars });
  const adminToken = settings.ADMIN_TOKEN;
  writeFileSync(
    envFile,
    Object.entries(settings)
      .map(([k, v]) => `${k}='${v}'`)
      .join("\n") + "\n",
  );
  try {
    return await launch({ port, state, envFile, adminToken, dir, logLevel, ownsState: stateDir === undefined });
  } catch (error) {
    // Nothing will call stop(): the settings (with their secrets) must not stay behind.
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Starts wrangler again on the same port, state and settings (a restart after a crash). */
export function restartDevServer(server) {
  return launch({ ...server.options });
}

async function launch(options) {
  const { port, state, envFile, logLevel } = options;
  const child = spawn(
    join(root, "node_modules", ".bin", "wrangler"),
    [
      "dev",
      "--port",
      String(port),
      "--ip",
      "127.0.0.1",
      "--persist-to",
      state,
      "--env-file",
      envFile,
      "--log-level",
      logLevel,
      "--show-interactive-dev-session=false",
    ],
    {
      cwd: root,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        WRANGLER_SEND_METRICS: "false",
        CLOUDFLARE_CF_FETCH_ENABLED: "false",
        X_LOCAL_OBSERVABILITY: "false",
      },
    },
  );
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited early:\n${output}`);
    try {
      // A socket that accepts and never answers (a runtime stuck on a broken build) must not stall this loop.
      await fetch(`${url}/oauth2/jwks`, { signal: AbortSignal.timeout(5000) });
      break;
    } catch {
      if (Date.now() > deadline) {
        process.kill(-child.pid, "SIGKILL");
        throw new Error(`wrangler dev did not answer within 30 s:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    url,
    adminToken: options.adminToken,
    stateDir: state,
    process: child,
    options,
    output: () => output,
    /** Stops wrangler and workerd (the whole process group); `signal` SIGKILL simulates a crash. */
    async stop(signal = "SIGTERM", { keepState = false } = {}) {
      try {
        process.kill(-child.pid, signal);
      } catch {}
      await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once("exit", r)));
      if (!keepState && options.ownsState) rmSync(options.dir, { recursive: true, force: true });
    },
  };
}
