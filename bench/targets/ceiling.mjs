// The floors, from the bench-only Worker in workers/ceiling: for each operation Baton serves, the
// same runtime doing the same I/O and cryptography with no checks (each shape, with Baton's and
// the source lines it comes from, is in workers/ceiling/index.js), and a trivial POST route. The
// system is one ("ceiling"); each route's `system` says which floor it is: "floor" or "trivial".
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { generateSigningKey } from "../../scripts/signing-keys.mjs";
import { basicAuth, form } from "../lib/http.mjs";
import { BENCH_ROOT } from "../lib/paths.mjs";
import { bundle, startMiniflare, startWranglerDev } from "../lib/servers.mjs";
import { REDIRECT_URI, refreshRequest, refreshTokenOf, revocationPool } from "./common.mjs";

const CONFIG = join(BENCH_ROOT, "workers/ceiling/wrangler.toml");
const CLIENT_ID = "client_bench";
const CLIENT_SECRET = "bsk_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";
const ADMIN_TOKEN = "bench-admin-0123456789abcdefghijklmnopqrstuvwxyz";
const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
const DEVICE_CODE = "urn:ietf:params:oauth:grant-type:device_code";

/**
 * The floors of the light operations, as steps (see workers/ceiling/index.js), shared with the
 * parts benchmark, which runs them inside the runtime beside Baton's operations.
 */
export const FLOOR_SHAPES = {
  refresh: { edge: ["kvc", "sha256", "hmac", "do"], object: ["get", "hmac", "hmac", "sign", "sign", "hkdf", "put"] },
  "client-credentials": { edge: ["kvc", "sha256", "sign"] },
  introspection: { edge: ["kvc", "sha256", "verify", "do", "kvc"], object: ["get"] },
  userinfo: { edge: ["verify", "do", "kvc"], object: ["get"] },
};

/** The floor's path for a shape: Worker steps, object steps, the status Baton answers with. */
export function floorPath({ edge, object = [], status = 200 }, query = {}) {
  return `/floor?${new URLSearchParams({ edge: edge.join(","), object: object.join(","), status, ...query })}`;
}

const FORM = "application/x-www-form-urlencoded";
const formHeaders = (ctx) => ({ Authorization: basicAuth(ctx.clientId, ctx.clientSecret), "Content-Type": FORM });
const failed = (response) => ({ error: `${response.status} ${response.body.slice(0, 160)}` });

/**
 * A chain's object with state, and an access token whose `sid` names it; with `alarm: false`
 * the object sets no alarm.
 */
export async function openChain(client, { alarm = true } = {}) {
  const response = await client.request("POST", alarm ? "/start" : "/start?alarm=0");
  if (response.status !== 200) throw new Error(`start answered ${response.status}`);
  const { chain, access_token: accessToken, refresh_token: refreshToken } = JSON.parse(response.body);
  return { chain, accessToken, refreshToken };
}

/** One request per operation, the chain's state kept; `build(ctx, state)` gives the request. */
function floorRoute(operation, label, shape, build, openState = (client) => openChain(client)) {
  return {
    id: `floor/${operation}`,
    system: "floor",
    operation,
    label,
    openChain: openState,
    async step(client, ctx, state) {
      const { method = "POST", query, headers, body } = build(ctx, state);
      const response = await client.request(method, floorPath(shape, query), { headers, body });
      return response.status === (shape.status ?? 200) ? { state } : failed(response);
    },
  };
}

// Baton's revocation of a refresh token: the family's object ended, its user's object told.
const REVOCATION = {
  edge: ["kvc", "sha256", "hmac", "do"],
  object: ["get", "derive", "hmac", "get", "get", "delete", "put", "alarm", "sessions"],
};

// Baton's login: authorize → the host's completion through the admin API → code exchange.
const LOGIN = {
  authorize: { edge: ["fresh", "kvc", "hmac", "seal"], status: 302 },
  complete: {
    edge: ["sha256", "sha256", "unseal", "do"],
    object: ["sha256", "get", "get", "get", "code", "alarm"],
  },
  exchange: {
    edge: ["kvc", "sha256", "hmac", "do"],
    object: ["sha256", "getcode", "get", "derive", "hmac", "sign", "sign", "sessions", "del", "del", "put", "alarm"],
  },
};

async function login(client, ctx, state) {
  const query = { response_type: "code", client_id: ctx.clientId, redirect_uri: REDIRECT_URI, scope: "openid" };
  const authorize = await client.request("GET", floorPath(LOGIN.authorize, { ...query, state: "s" }));
  if (authorize.status !== 302) return failed(authorize);
  const id = new URL(authorize.headers.location).searchParams.get("authorization_request");
  const complete = await client.request("POST", floorPath(LOGIN.complete), {
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify({ id, subject: `user_${randomBytes(4).toString("hex")}` }),
  });
  if (complete.status !== 200) return failed(complete);
  const { chain } = JSON.parse(complete.body);
  const exchange = await client.request("POST", floorPath(LOGIN.exchange), {
    headers: formHeaders(ctx),
    body: form({ grant_type: "authorization_code", chain, redirect_uri: REDIRECT_URI }),
  });
  return exchange.status === 200 ? { state } : failed(exchange);
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

  // The trivial route first: lib/warnings.mjs takes routes[0] for its ?read= variants.
  routes: [
    {
      id: "trivial/refresh",
      system: "trivial",
      operation: "refresh",
      label: "trivial POST",
      openChain: async (client) => (await openChain(client)).refreshToken,
      request: (ctx) => refreshRequest("/trivial", ctx.clientId, ctx.clientSecret),
      nextToken: refreshTokenOf,
    },
    // Baton's refresh as bare work: the client read from the isolate's cache, the secret's hash,
    // the sid's tag; in the object a read, the token's MAC checked and the next one's made, two
    // signatures, the retry answer sealed (HKDF + AES-GCM), a write.
    floorRoute(
      "refresh",
      "floor: cached KV + SHA-256 + HMAC + DO write, 2 ES256 signs",
      FLOOR_SHAPES.refresh,
      (ctx, state) => ({
        headers: formHeaders(ctx),
        // `chain` names the chain's own object, as a refresh token's sid names its grant's.
        body: form({ grant_type: "refresh_token", refresh_token: state.refreshToken, chain: state.chain }),
      }),
    ),
    {
      // The earlier, smaller ceiling: an uncached KV get and a DO write with two signatures.
      id: "floor/refresh-minimal",
      system: "floor",
      operation: "refresh",
      variant: true,
      label: "minimal refresh: KV get + DO write, 2 ES256 signs",
      openChain: async (client) => (await openChain(client)).refreshToken,
      request: (ctx) => refreshRequest("/minimal-refresh", ctx.clientId, ctx.clientSecret),
      nextToken: refreshTokenOf,
    },
    {
      id: "floor/login",
      system: "floor",
      operation: "login",
      label: "floor: 3 requests; DO write + DO write with 2 ES256 signs and a 2nd object's write",
      openChain: async () => ({}),
      step: login,
    },
    floorRoute(
      "client-credentials",
      "floor: cached KV + SHA-256 + 1 ES256 sign",
      FLOOR_SHAPES["client-credentials"],
      (ctx) => ({ headers: formHeaders(ctx), body: form({ grant_type: "client_credentials", scope: "api" }) }),
      async () => ({}),
    ),
    floorRoute(
      "introspection",
      "floor: cached KV + SHA-256 + 1 ES256 verify + DO read",
      FLOOR_SHAPES.introspection,
      (ctx, state) => ({ headers: formHeaders(ctx), body: form({ token: state.accessToken }) }),
    ),
    floorRoute("userinfo", "floor: 1 ES256 verify + DO read + cached KV", FLOOR_SHAPES.userinfo, (_ctx, state) => ({
      method: "GET",
      headers: { Authorization: `Bearer ${state.accessToken}` },
    })),
    // Each operation revokes a chain of its own, opened before the window, as each of Baton's
    // revokes a family of its own: a revoked object is not touched again.
    {
      id: "floor/revocation",
      system: "floor",
      operation: "revocation",
      label: "floor: cached KV + SHA-256 + HMAC + DO write (deleteAll) + 2nd object's write",
      ...revocationPool(
        (client) => openChain(client),
        (ctx, chain) => ({
          path: floorPath(REVOCATION),
          headers: formHeaders(ctx),
          body: form({ chain: chain.chain, token: chain.refreshToken }),
        }),
      ),
    },
    floorRoute(
      "registration",
      "floor: rate limit + SHA-256 + a KV put that expires",
      { edge: ["limit", "sha256", "kvput"], status: 201 },
      () => ({
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          client_name: "Benchmark",
          redirect_uris: [REDIRECT_URI],
          grant_types: ["authorization_code", "refresh_token"],
          token_endpoint_auth_method: "client_secret_basic",
          scope: "openid offline_access",
        }),
      }),
      async () => ({}),
    ),
    floorRoute(
      "token-exchange",
      "floor: cached KV + SHA-256 + 1 ES256 verify + DO read + 1 ES256 sign",
      { edge: ["kvc", "sha256", "verify", "do", "sign"], object: ["get"] },
      (ctx, state) => ({
        headers: formHeaders(ctx),
        body: form({
          grant_type: TOKEN_EXCHANGE,
          subject_token: state.accessToken,
          subject_token_type: ACCESS_TOKEN_TYPE,
          resource: "https://mcp.example.com/mcp",
        }),
      }),
    ),
    floorRoute(
      "device-poll",
      "floor: cached KV + HMAC + SHA-256 + DO read, 400",
      { edge: ["kvc", "hmac", "sha256", "do"], object: ["get"], status: 400 },
      (ctx, state) => ({
        headers: { "Content-Type": FORM },
        body: form({ grant_type: DEVICE_CODE, chain: state.chain, client_id: ctx.clientId }),
      }),
    ),
  ],
};
