// node-oidc-provider's refresh grant (servers/oidc-provider.mjs) on the root's Node 22: in-memory
// adapter, rotation on, ES256; chains opened through its authorization code flow.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { generateSigningKey } from "../../scripts/signing-keys.mjs";
import { BENCH_ROOT } from "../lib/paths.mjs";
import { startNodeServer } from "../lib/servers.mjs";
import { REDIRECT_URI, followToCode, redeemCode, refreshRequest, refreshTokenOf } from "./common.mjs";

export const oidcProvider = {
  id: "oidc-provider",
  runtimes: ["node"],

  async start(_runtime) {
    this.credentials = { clientId: "bench", clientSecret: randomBytes(32).toString("base64url") };
    return startNodeServer({
      script: join(BENCH_ROOT, "servers/oidc-provider.mjs"),
      settings: {
        SIGNING_KEY: JSON.stringify(await generateSigningKey("ES256")),
        CLIENT_ID: this.credentials.clientId,
        CLIENT_SECRET: this.credentials.clientSecret,
        REDIRECT_URI,
      },
      probe: { path: "/.well-known/openid-configuration" },
    });
  },

  async prepare() {
    return this.credentials;
  },

  routes: [
    {
      id: "oidc-provider",
      label: "oidc-provider refresh",
      async openChain(client, ctx, index) {
        const query = new URLSearchParams({
          response_type: "code",
          client_id: ctx.clientId,
          redirect_uri: REDIRECT_URI,
          scope: "openid offline_access read",
          prompt: "consent",
          state: `chain-${index}`,
          login_hint: `user-${index}-${randomBytes(4).toString("hex")}`,
        });
        const code = await followToCode(client, `/auth?${query}`);
        return redeemCode(client, "/token", ctx.clientId, ctx.clientSecret, code);
      },
      request: (ctx) => refreshRequest("/token", ctx.clientId, ctx.clientSecret),
      nextToken: refreshTokenOf,
    },
  ],
};
