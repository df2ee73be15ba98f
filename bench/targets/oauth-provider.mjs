// @cloudflare/workers-oauth-provider's refresh grant, from the bench-only Worker in
// workers/oauth-provider: a client made with the library's helpers, chains opened through its
// authorization code flow (the Worker's /authorize approves at once).
import { join } from "node:path";
import { BENCH_ROOT } from "../lib/paths.mjs";
import { bundle, startMiniflare, startWranglerDev } from "../lib/servers.mjs";
import { REDIRECT_URI, followToCode, redeemCode, refreshRequest, refreshTokenOf } from "./common.mjs";

const CONFIG = join(BENCH_ROOT, "workers/oauth-provider/wrangler.toml");

export const oauthProvider = {
  id: "workers-oauth-provider",
  runtimes: ["wrangler-dev", "miniflare"],

  async start(runtime, { workDir }) {
    const probe = { path: "/.well-known/oauth-authorization-server" };
    if (runtime === "wrangler-dev") return startWranglerDev({ configPath: CONFIG, settings: {}, probe });
    // One bundle per run, shared by every instance (several may start at once).
    this.bundling ??= bundle(CONFIG, join(workDir, "oauth-provider-dist"));
    this.scriptPath = await this.bundling;
    return startMiniflare({ configPath: CONFIG, scriptPath: this.scriptPath, settings: {}, probe });
  },

  async prepare(_server, client) {
    const response = await client.request("PUT", "/bench/client", {
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ redirectUri: REDIRECT_URI }),
    });
    if (response.status !== 200) throw new Error(`client creation answered ${response.status}: ${response.body}`);
    return JSON.parse(response.body);
  },

  routes: [
    {
      id: "workers-oauth-provider",
      label: "workers-oauth-provider refresh",
      async openChain(client, ctx, index) {
        const query = new URLSearchParams({
          response_type: "code",
          client_id: ctx.clientId,
          redirect_uri: REDIRECT_URI,
          scope: "read offline_access",
          state: `chain-${index}`,
          login_hint: `user-${index}-${Math.random().toString(36).slice(2)}`,
        });
        const code = await followToCode(client, `/authorize?${query}`);
        return redeemCode(client, "/oauth/token", ctx.clientId, ctx.clientSecret, code);
      },
      request: (ctx) => refreshRequest("/oauth/token", ctx.clientId, ctx.clientSecret),
      nextToken: refreshTokenOf,
    },
  ],
};
