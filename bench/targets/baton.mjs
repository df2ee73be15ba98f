// Baton itself: the refresh grant, on chains opened through the real authorization code flow
// (authorize → the admin API's login hand-off → code exchange).
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { SignJWT, exportJWK, generateKeyPair } from "jose";
import { devServerSettings, startDevServer } from "../../scripts/dev-server.mjs";
import { bundle, startMiniflare } from "../lib/servers.mjs";
import { REPO_ROOT } from "../lib/paths.mjs";
import { REDIRECT_URI, redeemCode, refreshRequest, refreshTokenOf } from "./common.mjs";

const CONFIG = join(REPO_ROOT, "wrangler.toml");
const SCOPE = "openid offline_access";
const RESOURCE = "https://mcp.example.com/mcp";

// One DPoP key for the whole run: what is measured is the server's work per proof.
const dpopKey = generateKeyPair("ES256", { extractable: true }).then(async ({ privateKey, publicKey }) => ({
  privateKey,
  jwk: await exportJWK(publicKey),
}));

async function dpopProof(htu) {
  const { privateKey, jwk } = await dpopKey;
  return new SignJWT({
    htm: "POST",
    htu,
    iat: Math.floor(Date.now() / 1000),
    jti: randomBytes(12).toString("base64url"),
  })
    .setProtectedHeader({ typ: "dpop+jwt", alg: "ES256", jwk })
    .sign(privateKey);
}

/** Baton under `wrangler dev` (scripts/dev-server.mjs) or its bundle directly under Miniflare. */
export const baton = {
  id: "baton",
  runtimes: ["wrangler-dev", "miniflare"],

  async start(runtime, { workDir, algorithm = "ES256", inspectorPort }) {
    if (runtime === "wrangler-dev") {
      const server = await startDevServer({ algorithm, logLevel: "warn" });
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
    // One bundle per run, shared by every instance (several may start at once).
    this.bundling ??= bundle(CONFIG, join(workDir, "baton-dist"));
    this.scriptPath = await this.bundling;
    const settings = await devServerSettings({ algorithm });
    const adminToken = settings.ADMIN_TOKEN;
    const server = await startMiniflare({
      configPath: CONFIG,
      scriptPath: this.scriptPath,
      settings,
      probe: { path: "/oauth2/jwks" },
      inspectorPort,
    });
    return { ...server, adminToken };
  },

  /** Registers one confidential client through the admin API. */
  async prepare(server, client) {
    const response = await client.request("POST", "/admin/clients", {
      headers: { Authorization: `Bearer ${server.adminToken}`, "Content-Type": "application/json" },
      body: JSON.stringify({
        client_name: "Benchmark",
        redirect_uris: [REDIRECT_URI],
        grant_types: ["authorization_code", "refresh_token"],
        token_endpoint_auth_method: "client_secret_basic",
        scope: SCOPE,
      }),
    });
    if (response.status !== 201 && response.status !== 200) {
      throw new Error(`client registration answered ${response.status}: ${response.body}`);
    }
    const { client_id: clientId, client_secret: clientSecret } = JSON.parse(response.body);
    return { adminToken: server.adminToken, clientId, clientSecret, url: server.url };
  },

  routes: [
    {
      id: "baton",
      label: "Baton refresh",
      openChain: (client, ctx, index) => openFamily(client, ctx, index),
      request: (ctx) => refreshRequest("/oauth2/token", ctx.clientId, ctx.clientSecret),
      nextToken: refreshTokenOf,
    },
    {
      // The same refresh with a DPoP proof (RFC 9449) per request, made by the load generator:
      // the server checks it and remembers its jti in the same write as the rotation.
      id: "baton-dpop",
      label: "Baton refresh, DPoP proof",
      openChain: (client, ctx, index) => openFamily(client, ctx, index),
      request: (ctx) => {
        const plain = refreshRequest("/oauth2/token", ctx.clientId, ctx.clientSecret);
        return async (token) => {
          const spec = plain(token);
          return { ...spec, headers: { ...spec.headers, DPoP: await dpopProof(`${ctx.url}/oauth2/token`) } };
        };
      },
      nextToken: refreshTokenOf,
    },
    {
      // The same refresh for a family bound to a resource server (RFC 8707), as MCP clients'
      // are: the resource travels inside the family, so this must cost what the plain one does.
      id: "baton-resource",
      label: "Baton refresh, resource-bound",
      openChain: (client, ctx, index) => openFamily(client, ctx, index, RESOURCE),
      request: (ctx) => refreshRequest("/oauth2/token", ctx.clientId, ctx.clientSecret),
      nextToken: refreshTokenOf,
    },
  ],
};

/** A family of its own: authorize (for `resource`, if given), complete the login as the host application, redeem. */
async function openFamily(client, ctx, index, resource) {
  const query = new URLSearchParams({
    response_type: "code",
    client_id: ctx.clientId,
    redirect_uri: REDIRECT_URI,
    scope: SCOPE,
    state: `chain-${index}`,
  });
  if (resource !== undefined) query.append("resource", resource);
  const authorize = await client.request("GET", `/oauth2/authorize?${query}`);
  const location = authorize.headers.location;
  if (authorize.status !== 302 || !location)
    throw new Error(`authorize answered ${authorize.status}: ${authorize.body.slice(0, 300)}`);
  const requestId = new URL(location).searchParams.get("authorization_request");
  const completed = await client.request("POST", `/admin/authorizations/${requestId}/complete`, {
    headers: { Authorization: `Bearer ${ctx.adminToken}`, "Content-Type": "application/json" },
    body: JSON.stringify({ subject: `user_${index}_${randomBytes(4).toString("hex")}` }),
  });
  if (completed.status !== 200) throw new Error(`login completion answered ${completed.status}: ${completed.body}`);
  const code = new URL(JSON.parse(completed.body).redirect_to).searchParams.get("code");
  return redeemCode(client, "/oauth2/token", ctx.clientId, ctx.clientSecret, code);
}
