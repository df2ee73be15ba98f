// node-oidc-provider (servers/oidc-provider.mjs) on the root's Node 22, as two systems: its own
// in-memory adapter, and durable on Redis (servers/redis-adapter.mjs, the layout of its example
// Redis adapter) with a redis-server of the server's own, whose CPU is counted with it. Both have
// the same routes: every operation of lib/operations.mjs that oidc-provider has (it has no token
// exchange), each sent as Baton's route sends it, on chains opened through its real flows.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { generateSigningKey } from "../../scripts/signing-keys.mjs";
import { basicAuth, form } from "../lib/http.mjs";
import { BENCH_ROOT } from "../lib/paths.mjs";
import { startNodeServer } from "../lib/servers.mjs";
import {
  REDIRECT_URI,
  followToCode,
  json,
  keepState,
  redeemCode,
  refreshRequest,
  refreshTokenOf,
  registration,
  revocationPool,
} from "./common.mjs";

const FORM = { "Content-Type": "application/x-www-form-urlencoded" };
const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
/** Scopes of a family with a refresh token and an API access token (an ES256 JWT). */
const API_SCOPE = "openid offline_access read";
/** Scopes of a family whose access token is for userinfo (opaque, no resource). */
const USER_SCOPE = "openid offline_access";
/** The API (servers/oidc-provider.mjs): JWT access tokens. */
const RESOURCE = "urn:bench:api";
/** The API with opaque access tokens, the only ones oidc-provider introspects. */
const OPAQUE_RESOURCE = "urn:bench:opaque-api";

/**
 * Walks one login through the authorization endpoint as a new user in a new session (no cookies
 * from earlier logins): /auth → the interaction (approved at once) → /auth again → the code.
 */
function authorize(client, ctx, { scope = API_SCOPE, resource } = {}) {
  const query = new URLSearchParams({
    response_type: "code",
    client_id: ctx.clientId,
    redirect_uri: REDIRECT_URI,
    scope,
    // oidc-provider grants offline_access (a refresh token) only on a consent prompt.
    prompt: "consent",
    state: randomBytes(6).toString("base64url"),
    login_hint: `user-${randomBytes(6).toString("hex")}`,
  });
  if (resource !== undefined) query.set("resource", resource);
  return followToCode(client, `/auth?${query}`);
}

/** A login's first refresh token (code exchange included). */
async function firstRefreshToken(client, ctx) {
  return redeemCode(client, "/token", ctx.clientId, ctx.clientSecret, await authorize(client, ctx));
}

/** A login's access token, for `options` as {@link authorize} takes them. */
async function firstAccessToken(client, ctx, options) {
  const code = await authorize(client, ctx, options);
  const response = await client.request("POST", "/token", {
    headers: { ...FORM, Authorization: basicAuth(ctx.clientId, ctx.clientSecret) },
    body: form({ grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI }),
  });
  const token = response.status === 200 ? json(response).access_token : undefined;
  if (token === undefined) throw new Error(`code exchange answered ${response.status}: ${response.body.slice(0, 300)}`);
  return token;
}

/** The routes of one oidc-provider system; `name` starts each label. */
function routes(system, name) {
  const route = (operation, fields) => ({ id: `${system}/${operation}`, system, operation, ...fields });
  const webAuth = (ctx) => basicAuth(ctx.clientId, ctx.clientSecret);
  return [
    route("refresh", {
      label: `${name} refresh`,
      openChain: (client, ctx) => firstRefreshToken(client, ctx),
      request: (ctx) => refreshRequest("/token", ctx.clientId, ctx.clientSecret),
      nextToken: refreshTokenOf,
    }),
    route("login", {
      // /auth, the interaction, /auth resumed, the code exchange: the login and the consent
      // are one interaction, as Baton's host application completes a login in one call.
      label: `${name} login (4 requests)`,
      openChain: () => null,
      step: async (client, ctx, state) => {
        try {
          await firstRefreshToken(client, ctx);
          return { state };
        } catch (error) {
          return { error: error.message };
        }
      },
    }),
    route("client-credentials", {
      // For the API, so the access token is an ES256 JWT (not stored), as Baton's is.
      label: `${name} client_credentials`,
      openChain: () => null,
      step: keepState(
        (ctx) => ({
          path: "/token",
          headers: { ...FORM, Authorization: basicAuth(ctx.machineClientId, ctx.machineClientSecret) },
          body: form({ grant_type: "client_credentials", resource: RESOURCE }),
        }),
        (response) => response.status === 200 && json(response).access_token !== undefined,
      ),
    }),
    route("introspection", {
      // oidc-provider refuses to introspect JWT access tokens (unsupported_token_type): this
      // introspects an opaque access token for an API, read from the store with its grant.
      label: `${name} introspection (opaque token)`,
      openChain: (client, ctx) => firstAccessToken(client, ctx, { resource: OPAQUE_RESOURCE }),
      step: keepState(
        (ctx, token) => ({
          path: "/token/introspection",
          headers: { ...FORM, Authorization: webAuth(ctx) },
          body: form({ token }),
        }),
        (response) => response.status === 200 && json(response).active === true,
      ),
    }),
    route("userinfo", {
      // Userinfo takes only an opaque access token without a resource (audience: userinfo).
      label: `${name} userinfo (opaque token)`,
      openChain: (client, ctx) => firstAccessToken(client, ctx, { scope: USER_SCOPE }),
      step: keepState(
        (_ctx, token) => ({ method: "GET", path: "/me", headers: { Authorization: `Bearer ${token}` } }),
        (response) => response.status === 200 && json(response).sub !== undefined,
      ),
    }),
    route("revocation", {
      // Each operation ends a family of its own, opened before the window.
      label: `${name} revocation`,
      ...revocationPool(firstRefreshToken, (ctx, token) => ({
        path: "/token/revocation",
        headers: { ...FORM, Authorization: webAuth(ctx) },
        body: form({ token, token_type_hint: "refresh_token" }),
      })),
    }),
    route("registration", {
      // An MCP client registering itself (RFC 7591): open registration, no initial access token.
      label: `${name} dynamic registration`,
      ...registration("/reg"),
    }),
    route("device-poll", {
      // A device polling a code nobody has answered yet, in a closed loop: oidc-provider
      // answers authorization_pending (it has no slow_down) after reading the code.
      label: `${name} device poll (pending)`,
      openChain: async (client, ctx) => {
        const asked = await client.request("POST", "/device/auth", {
          headers: FORM,
          body: form({ client_id: ctx.deviceClientId, scope: USER_SCOPE }),
        });
        if (asked.status !== 200) throw new Error(`device authorization answered ${asked.status}: ${asked.body}`);
        return JSON.parse(asked.body).device_code;
      },
      step: keepState(
        (ctx, code) => ({
          path: "/token",
          headers: FORM,
          body: form({ grant_type: DEVICE_CODE_GRANT, device_code: code, client_id: ctx.deviceClientId }),
        }),
        (response) => response.status === 400 && ["slow_down", "authorization_pending"].includes(json(response).error),
      ),
    }),
  ];
}

/**
 * One system: oidc-provider with `store` ("memory" or "redis"); on Redis, `appendfsync` is how
 * often its append-only file is flushed to disk.
 */
function oidcProviderSystem({ id, name, store, appendfsync = "everysec" }) {
  return {
    id,
    runtimes: ["node"],

    async start(_runtime) {
      const secret = () => randomBytes(32).toString("base64url");
      this.credentials = {
        clientId: "bench",
        clientSecret: secret(),
        machineClientId: "bench-machine",
        machineClientSecret: secret(),
        deviceClientId: "bench-device",
      };
      return startNodeServer({
        script: join(BENCH_ROOT, "servers/oidc-provider.mjs"),
        settings: {
          SIGNING_KEY: JSON.stringify(await generateSigningKey("ES256")),
          CLIENT_ID: this.credentials.clientId,
          CLIENT_SECRET: this.credentials.clientSecret,
          MACHINE_CLIENT_ID: this.credentials.machineClientId,
          MACHINE_CLIENT_SECRET: this.credentials.machineClientSecret,
          DEVICE_CLIENT_ID: this.credentials.deviceClientId,
          REDIRECT_URI,
          STORE: store,
          REDIS_APPENDFSYNC: appendfsync,
          // Always a redis-server of the server's own (its CPU counted), never one from the environment.
          REDIS_URL: "",
        },
        probe: { path: "/.well-known/openid-configuration" },
      });
    },

    async prepare() {
      return this.credentials;
    },

    routes: routes(id, name),
  };
}

/** oidc-provider with its own in-memory adapter. */
export const oidcProvider = oidcProviderSystem({ id: "oidc-provider", name: "oidc-provider", store: "memory" });

/** oidc-provider durable on Redis (append-only file, fsync every second), Redis's CPU counted. */
export const oidcProviderRedis = oidcProviderSystem({
  id: "oidc-provider-redis",
  name: "oidc-provider (Redis)",
  store: "redis",
});

/**
 * oidc-provider on a Redis that flushes its append-only file before it answers each write
 * (`appendfsync always`): as durable as a Durable Object's commit, which the local runtime
 * flushes to disk before the object answers. Measured only when `--only` names it.
 */
export const oidcProviderRedisAlways = oidcProviderSystem({
  id: "oidc-provider-redis-always",
  name: "oidc-provider (Redis, fsync always)",
  store: "redis",
  appendfsync: "always",
});
