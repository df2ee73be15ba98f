// The ceilings, from the bench-only Worker in workers/ceiling: a minimal refresh (one KV get,
// one Durable Object call, two ES256 signatures, no checks) and a trivial POST route.
import { join } from "node:path";
import { generateSigningKey } from "../../scripts/signing-keys.mjs";
import { BENCH_ROOT } from "../lib/paths.mjs";
import { bundle, startMiniflare, startWranglerDev } from "../lib/servers.mjs";
import { REDIRECT_URI, refreshRequest, refreshTokenOf } from "./common.mjs";

const CONFIG = join(BENCH_ROOT, "workers/ceiling/wrangler.toml");
const CLIENT_ID = "client_bench";
const CLIENT_SECRET = "bsk_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";

async function openChain(client) {
  const response = await client.request("POST", "/start");
  return JSON.parse(response.body).refresh_token;
}

export const ceiling = {
  id: "ceiling",
  runtimes: ["wrangler-dev", "miniflare"],

  async start(runtime, { workDir, inspectorPort }) {
    const settings = { SIGNING_KEY: JSON.stringify(await generateSigningKey("ES256")) };
    const probe = { path: "/" };
    if (runtime === "wrangler-dev") return startWranglerDev({ configPath: CONFIG, settings, probe });
    // One bundle per run, shared by every instance (several may start at once).
    this.bundling ??= bundle(CONFIG, join(workDir, "ceiling-dist"));
    this.scriptPath = await this.bundling;
    return startMiniflare({ configPath: CONFIG, scriptPath: this.scriptPath, settings, probe, inspectorPort });
  },

  /** Writes a client record of Baton's size, for the KV read to fetch. */
  async prepare(_server, client) {
    const record = {
      client_id: CLIENT_ID,
      client_name: "Benchmark",
      redirect_uris: [REDIRECT_URI],
      grant_types: ["authorization_code", "refresh_token"],
      token_endpoint_auth_method: "client_secret_basic",
      scope: "openid offline_access",
      client_id_issued_at: 1_800_000_000,
      secrets: [{ id: "secret_0123456789abcdef", hash: "x".repeat(43), created_at: 1_800_000_000 }],
    };
    const response = await client.request("PUT", "/setup", { body: JSON.stringify(record) });
    if (response.status !== 204) throw new Error(`setup answered ${response.status}`);
    return { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET };
  },

  routes: [
    {
      id: "minimal",
      label: "minimal refresh",
      openChain,
      request: (ctx) => refreshRequest("/minimal-refresh", ctx.clientId, ctx.clientSecret),
      nextToken: refreshTokenOf,
    },
    {
      id: "trivial",
      label: "trivial POST",
      openChain,
      request: (ctx) => refreshRequest("/trivial", ctx.clientId, ctx.clientSecret),
      nextToken: refreshTokenOf,
    },
  ],
};
