// Baton itself, under `wrangler dev` (scripts/dev-server.mjs) or its bundle directly under
// Miniflare, at LOG_LEVEL=warn (no line per request, as the floors and the peers log nothing)
// or info (the default: one line per request). Its routes are in baton-operations.mjs.
import { join } from "node:path";
import { devServerSettings, startDevServer } from "../../scripts/dev-server.mjs";
import { bundle, startMiniflare } from "../lib/servers.mjs";
import { REPO_ROOT } from "../lib/paths.mjs";
import { httpClient } from "../lib/http.mjs";
import { batonRoutes, registerClients } from "./baton-operations.mjs";

const CONFIG = join(REPO_ROOT, "wrangler.toml");
// Dynamic registration is open, as an MCP deployment has it; everything else is the default.
const VARS = { DYNAMIC_REGISTRATION: "open" };

/** One bundle per run, shared by every instance (several may start at once). */
let bundling;

/** Baton as a system under test, at `logLevel`. */
export function batonSystem(logLevel = "warn") {
  const id = logLevel === "warn" ? "baton" : `baton-${logLevel}`;
  return {
    id,
    logLevel,
    runtimes: ["wrangler-dev", "miniflare"],

    /**
     * Starts Baton on `runtime`; under Miniflare, `settings` (else fresh ones), `persistTo` and
     * `probe: false` (no request before the caller's) may be given.
     */
    async start(runtime, { workDir, algorithm = "ES256", inspectorPort, settings: given, persistTo, probe }) {
      const vars = { ...VARS, LOG_LEVEL: logLevel };
      if (runtime === "wrangler-dev") {
        const server = await startDevServer({ algorithm, vars });
        const mark = server.output().length;
        return {
          url: server.url,
          root: server.process.pid,
          proxyPort: Number(new URL(server.url).port),
          adminToken: server.adminToken,
          output: () => server.output().slice(mark),
          logs: async () => undefined,
          stop: () => server.stop(),
        };
      }
      bundling ??= bundle(CONFIG, join(workDir, "baton-dist"));
      const scriptPath = await bundling;
      const settings = given ?? (await devServerSettings({ algorithm, vars }));
      const server = await startMiniflare({
        configPath: CONFIG,
        scriptPath,
        settings,
        probe: probe ?? { path: "/oauth2/jwks" },
        inspectorPort,
        persistTo,
      });
      return { ...server, adminToken: settings.ADMIN_TOKEN, scriptPath };
    },

    /** Registers the run's clients through the admin API. */
    async prepare(server, client = httpClient(server.url, 4)) {
      return { adminToken: server.adminToken, url: server.url, ...(await registerClients(client, server.adminToken)) };
    },

    routes: batonRoutes(id),
  };
}

/** Baton at LOG_LEVEL=warn. */
export const baton = batonSystem("warn");
