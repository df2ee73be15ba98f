// A Worker run directly under Miniflare's API (no wrangler, no proxy in front): the bundle that
// `wrangler deploy --dry-run` wrote, with the bindings its wrangler.toml declares (KV, Durable
// Objects, rate limits) and the settings given. Runs as its own process so that its CPU time can
// be told apart from the load generator's; talks to the parent over IPC.
//   node miniflare-host.mjs SPEC.json   (SPEC: configPath, scriptPath, bindings, port, persistTo, inspectorPort?)
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { Log, LogLevel, Miniflare, convertV4MiniflareOptions } from "miniflare";
import { unstable_getMiniflareWorkerOptions, unstable_readConfig } from "wrangler";

const spec = JSON.parse(readFileSync(process.argv[2], "utf8"));
const config = unstable_readConfig({ config: spec.configPath });
// Module rules matter only to an unbundled Worker; the bundle is one ES module.
const { modulesRules: _rules, ...workerOptions } = unstable_getMiniflareWorkerOptions(spec.configPath).workerOptions;

// Log lines from the runtime, by level, with the first few of each kind kept as samples.
const logs = { counts: {}, samples: {} };
function countLog(level, message) {
  logs.counts[level] = (logs.counts[level] ?? 0) + 1;
  const kind = `${level}: ${String(message).slice(0, 200)}`;
  const bucket = (logs.samples[level] ??= []);
  if (bucket.length < 5 && !bucket.includes(kind)) bucket.push(kind);
}

// wrangler describes a Worker in Miniflare 4's shape; Miniflare converts it.
const mf = new Miniflare(
  convertV4MiniflareOptions({
    ...workerOptions,
    name: config.name,
    // Module names are paths relative to the root: the bundle's own directory keeps them plain.
    rootPath: dirname(spec.scriptPath),
    modules: true,
    scriptPath: spec.scriptPath,
    // Only wrangler.toml's [vars] and the given settings: never a developer's .dev.vars.
    bindings: { ...config.vars, ...spec.bindings },
    host: "127.0.0.1",
    port: spec.port,
    resourcePersistencePath: spec.persistTo,
    enableDevRegistry: false,
    ...(spec.inspectorPort !== undefined && { inspectorPort: spec.inspectorPort }),
    cf: false,
    log: new Log(LogLevel.WARN),
    handleStructuredLogs: ({ level, message }) => countLog(level, message),
  }),
);

const url = await mf.ready;
process.send({ type: "ready", url: url.href });
process.on("message", async (message) => {
  if (message.type === "logs") process.send({ type: "logs", logs });
  if (message.type === "stop") {
    await mf.dispose();
    process.exit(0);
  }
});
process.on("disconnect", () => mf.dispose().finally(() => process.exit(0)));
