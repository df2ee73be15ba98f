// @cloudflare/workers-oauth-provider's routes, from the bench-only Worker in
// workers/oauth-provider: a client made with the library's helpers, chains opened through its
// authorization code flow (the Worker's /authorize approves at once for a fresh login_hint).
//
// What the library (1.2.3) has, from dist/oauth-provider.d.ts and dist/oauth-provider.js:
// refresh, authorization code, revocation (RFC 7009, on the token endpoint: a request with
// `token` and no `grant_type`), dynamic registration (RFC 7591, `clientRegistrationEndpoint`),
// token exchange (RFC 8693, `allowTokenExchangeGrant`) and the API route's bearer check. It
// has no client_credentials grant (its `GrantType` is authorization_code, refresh_token,
// token-exchange and jwt-bearer, the last for enterprise ID-JAG assertions), no introspection
// endpoint and no device authorization grant: those operations have no route here.
import { join } from "node:path";
import { basicAuth, form } from "../lib/http.mjs";
import { BENCH_ROOT } from "../lib/paths.mjs";
import { bundle, startMiniflare, startWranglerDev } from "../lib/servers.mjs";
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

const CONFIG = join(BENCH_ROOT, "workers/oauth-provider/wrangler.toml");
const SYSTEM = "workers-oauth-provider";
const TOKEN = "/oauth/token";
const FORM = { "Content-Type": "application/x-www-form-urlencoded" };
const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

/** The code of one authorization, for a user no one has seen yet (a new grant each time). */
function authorize(client, ctx) {
  const query = new URLSearchParams({
    response_type: "code",
    client_id: ctx.clientId,
    redirect_uri: REDIRECT_URI,
    scope: "read offline_access",
    state: Math.random().toString(36).slice(2),
    login_hint: `user-${Math.random().toString(36).slice(2)}`,
  });
  return followToCode(client, `/authorize?${query}`);
}

/** One login's refresh token: authorize, then the code exchange. */
async function firstRefreshToken(client, ctx) {
  return redeemCode(client, TOKEN, ctx.clientId, ctx.clientSecret, await authorize(client, ctx));
}

/** One login's access token (redeemCode keeps only the refresh token). */
async function firstAccessToken(client, ctx) {
  const code = await authorize(client, ctx);
  const response = await client.request("POST", TOKEN, {
    headers: { ...FORM, Authorization: basicAuth(ctx.clientId, ctx.clientSecret) },
    body: form({ grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI }),
  });
  const token = response.status === 200 ? json(response).access_token : undefined;
  if (token === undefined) throw new Error(`code exchange answered ${response.status}: ${response.body.slice(0, 300)}`);
  return token;
}

const route = (operation, fields) => ({ id: `${SYSTEM}/${operation}`, system: SYSTEM, operation, ...fields });

export const oauthProvider = {
  id: SYSTEM,
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
    route("refresh", {
      label: "workers-oauth-provider refresh",
      openChain: (client, ctx) => firstRefreshToken(client, ctx),
      request: (ctx) => refreshRequest(TOKEN, ctx.clientId, ctx.clientSecret),
      nextToken: refreshTokenOf,
    }),
    route("login", {
      // GET /authorize (parseAuthRequest, completeAuthorization: the grant and its code written)
      // → 302 with the code, then the code exchange.
      label: "workers-oauth-provider login (2 requests)",
      openChain: () => null,
      step: async (client, ctx, state) => {
        await firstRefreshToken(client, ctx);
        return { state };
      },
    }),
    route("revocation", {
      // Each operation ends a family of its own, opened before the window. A refresh token
      // revokes its whole grant: the grant read, its tokens listed and deleted, the grant deleted.
      label: "workers-oauth-provider revocation",
      ...revocationPool(firstRefreshToken, (ctx, token) => ({
        path: TOKEN,
        headers: { ...FORM, Authorization: basicAuth(ctx.clientId, ctx.clientSecret) },
        body: form({ token, token_type_hint: "refresh_token" }),
      })),
    }),
    route("registration", {
      // An MCP client registering itself (RFC 7591): the library has no rate limit on it.
      label: "workers-oauth-provider dynamic registration",
      ...registration("/register"),
    }),
    route("token-exchange", {
      // The client exchanging its user's access token for a new one (RFC 8693), one subject token
      // per chain: the subject unwrapped (its record read, key unwrapped, props decrypted), the
      // grant read, the subject's record read again, a new access token written. The library
      // has one resource, so no `resource` is named; a cross-client (gateway) exchange would also
      // need a tokenExchangeCallback, so the exchanging client is the token's own.
      label: "workers-oauth-provider token exchange",
      openChain: (client, ctx) => firstAccessToken(client, ctx),
      step: keepState(
        (ctx, token) => ({
          path: TOKEN,
          headers: { ...FORM, Authorization: basicAuth(ctx.clientId, ctx.clientSecret) },
          body: form({ grant_type: TOKEN_EXCHANGE_GRANT, subject_token: token, subject_token_type: ACCESS_TOKEN_TYPE }),
        }),
        (response) => response.status === 200 && json(response).access_token !== undefined,
      ),
    }),
    route("userinfo", {
      // The nearest the library has to userinfo or introspection: a call to its API route, where
      // the provider itself checks the bearer token before the API handler (which answers the
      // token's user) runs. Per request: one SHA-256 of the token (its record's key), one KV
      // read, the audience and expiry checked, then the props' key unwrapped (HMAC-SHA256 of the
      // token, AES-KW) and the props decrypted (AES-GCM). No signature, no grant read.
      label: "workers-oauth-provider API call (token check)",
      openChain: (client, ctx) => firstAccessToken(client, ctx),
      step: keepState(
        (_ctx, token) => ({ method: "GET", path: "/api", headers: { Authorization: `Bearer ${token}` } }),
        (response) => response.status === 200 && json(response).sub !== undefined,
      ),
    }),
  ],
};
