// Baton's routes for every operation of bench/lib/operations.mjs, as a client sends each: the
// chains are opened through the real flows (authorize → the admin API's login hand-off → code
// exchange; the device flow) and every request is the one a real client would send.
import { randomBytes } from "node:crypto";
import { SignJWT, exportJWK, generateKeyPair } from "jose";
import { basicAuth, form, randomSource } from "../lib/http.mjs";
import {
  REDIRECT_URI,
  json,
  keepState,
  refreshRequest,
  refreshTokenOf,
  registration,
  revocationPool,
} from "./common.mjs";

export const SCOPE = "openid offline_access";
export const RESOURCE = "https://mcp.example.com/mcp";
const FORM = { "Content-Type": "application/x-www-form-urlencoded" };
const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

// One DPoP key for the whole run: what is measured is the server's work per proof.
const dpopKey = generateKeyPair("ES256", { extractable: true }).then(async ({ privateKey, publicKey }) => ({
  privateKey,
  jwk: await exportJWK(publicKey),
}));

// At most this many proofs per family in a cell, at up to 1,000 DPoP refreshes a second over all
// chains (the best in RESULTS.md's runs is about 800): about what a busy client's session takes in the 5
// minutes its proofs live. A refresh reads and rewrites the family's list of live proofs, so a
// family refreshed hundreds of times a second would cost more than any client's does, and a
// session takes at most 300 (then it answers 429).
const PROOFS_PER_FAMILY = 10;
const DPOP_RATE_BOUND = 1000;

/** How many families a DPoP refresh chain takes turns among, for `cell`'s length and chains. */
export function dpopFamilies(cell) {
  if (cell === undefined) return 1;
  const seconds = (cell.warmupMs + cell.durationMs) / 1000;
  return Math.max(1, Math.ceil((seconds * DPOP_RATE_BOUND) / (cell.concurrency * PROOFS_PER_FAMILY)));
}

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

/** The clients a run needs, registered through the admin API: `{ web, machine, gateway, device }`. */
export async function registerClients(client, adminToken) {
  const register = async (body) => {
    const response = await client.request("POST", "/admin/clients", {
      headers: { Authorization: `Bearer ${adminToken}`, "Content-Type": "application/json" },
      body: JSON.stringify({ client_name: "Benchmark", ...body }),
    });
    if (response.status !== 201) throw new Error(`client registration answered ${response.status}: ${response.body}`);
    return JSON.parse(response.body);
  };
  const confidential = { token_endpoint_auth_method: "client_secret_basic", scope: SCOPE };
  const [web, machine, gateway, device] = await Promise.all([
    register({ ...confidential, redirect_uris: [REDIRECT_URI], grant_types: ["authorization_code", "refresh_token"] }),
    register({ ...confidential, grant_types: ["client_credentials"] }),
    register({ ...confidential, grant_types: [TOKEN_EXCHANGE_GRANT] }),
    register({ token_endpoint_auth_method: "none", scope: SCOPE, grant_types: [DEVICE_CODE_GRANT, "refresh_token"] }),
  ]);
  return { web, machine, gateway, device };
}

/** The token response of one login: authorize, complete as the host application, redeem. */
export async function login(client, ctx, resource) {
  const query = new URLSearchParams({
    response_type: "code",
    client_id: ctx.web.client_id,
    redirect_uri: REDIRECT_URI,
    scope: SCOPE,
    state: randomBytes(6).toString("base64url"),
  });
  if (resource !== undefined) query.append("resource", resource);
  const authorize = await client.request("GET", `/oauth2/authorize?${query}`);
  const location = authorize.headers.location;
  if (authorize.status !== 302 || !location) throw new Error(`authorize answered ${authorize.status}`);
  const requestId = new URL(location).searchParams.get("authorization_request");
  const completed = await client.request("POST", `/admin/authorizations/${requestId}/complete`, {
    headers: { Authorization: `Bearer ${ctx.adminToken}`, "Content-Type": "application/json" },
    body: JSON.stringify({ subject: `user_${randomBytes(6).toString("hex")}` }),
  });
  if (completed.status !== 200) throw new Error(`login completion answered ${completed.status}: ${completed.body}`);
  const code = new URL(JSON.parse(completed.body).redirect_to).searchParams.get("code");
  const redeemed = await client.request("POST", "/oauth2/token", {
    headers: { ...FORM, Authorization: basicAuth(ctx.web.client_id, ctx.web.client_secret) },
    body: form({ grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI }),
  });
  if (redeemed.status !== 200) throw new Error(`code exchange answered ${redeemed.status}: ${redeemed.body}`);
  return JSON.parse(redeemed.body);
}

const firstRefreshToken = (client, ctx, resource) => login(client, ctx, resource).then((t) => t.refresh_token);
const firstAccessToken = (client, ctx) => login(client, ctx).then((t) => t.access_token);
const webAuth = (ctx) => basicAuth(ctx.web.client_id, ctx.web.client_secret);

/** Baton's routes; `system` is "baton" (LOG_LEVEL=warn) or "baton-info" (LOG_LEVEL=info). */
export function batonRoutes(system) {
  const route = (operation, fields) => ({ id: `${system}/${operation}`, system, operation, ...fields });
  return [
    route("refresh", {
      label: "Baton refresh",
      openChain: (client, ctx) => firstRefreshToken(client, ctx),
      request: (ctx) => refreshRequest("/oauth2/token", ctx.web.client_id, ctx.web.client_secret),
      nextToken: refreshTokenOf,
    }),
    route("refresh-dpop", {
      // A fresh DPoP proof (RFC 9449) per request, made by the load generator: the server checks
      // it and remembers its jti in the same write as the rotation. Each chain takes turns among
      // enough families that each takes a client's share of proofs (PROOFS_PER_FAMILY).
      label: "Baton refresh, DPoP proof",
      openChain: (client, ctx, _index, cell) =>
        Promise.all(Array.from({ length: dpopFamilies(cell) }, () => firstRefreshToken(client, ctx))),
      step: async (client, ctx, state) => {
        // A chain's families, the next one first (a caller may hand over a single token).
        const [token, ...rest] = [state].flat();
        const spec = refreshRequest("/oauth2/token", ctx.web.client_id, ctx.web.client_secret)(token);
        const headers = { ...spec.headers, DPoP: await dpopProof(`${ctx.url}/oauth2/token`) };
        const response = await client.request(spec.method, spec.path, { headers, body: spec.body });
        const next = response.status === 200 ? refreshTokenOf(response) : undefined;
        if (next === undefined) return { error: `${response.status} ${response.body.slice(0, 160)}` };
        return { state: [...rest, next] };
      },
    }),
    route("refresh-resource", {
      // A family bound to a resource server (RFC 8707), as MCP clients' are: the resource
      // travels inside the family, so this must cost what the plain refresh does.
      operation: "refresh",
      label: "Baton refresh, resource-bound",
      variant: true,
      openChain: (client, ctx) => firstRefreshToken(client, ctx, RESOURCE),
      request: (ctx) => refreshRequest("/oauth2/token", ctx.web.client_id, ctx.web.client_secret),
      nextToken: refreshTokenOf,
    }),
    route("login", {
      label: "Baton login (3 requests)",
      openChain: () => null,
      step: async (client, ctx, state) => {
        const tokens = await login(client, ctx);
        return tokens.refresh_token ? { state } : { error: "no refresh token" };
      },
    }),
    route("client-credentials", {
      label: "Baton client_credentials",
      openChain: () => null,
      step: keepState(
        (ctx) => ({
          path: "/oauth2/token",
          headers: { ...FORM, Authorization: basicAuth(ctx.machine.client_id, ctx.machine.client_secret) },
          body: form({ grant_type: "client_credentials", resource: RESOURCE }),
        }),
        (response) => response.status === 200 && json(response).access_token !== undefined,
      ),
    }),
    route("introspection", {
      // A resource server asking about a user's access token: verified, and its grant read.
      label: "Baton introspection",
      openChain: (client, ctx) => firstAccessToken(client, ctx),
      step: keepState(
        (ctx, token) => ({
          path: "/oauth2/introspection",
          headers: { ...FORM, Authorization: webAuth(ctx) },
          body: form({ token }),
        }),
        (response) => response.status === 200 && json(response).active === true,
      ),
    }),
    route("userinfo", {
      label: "Baton userinfo",
      openChain: (client, ctx) => firstAccessToken(client, ctx),
      step: keepState(
        (_ctx, token) => ({ method: "GET", path: "/oauth2/userinfo", headers: { Authorization: `Bearer ${token}` } }),
        (response) => response.status === 200 && json(response).sub !== undefined,
      ),
    }),
    route("revocation", {
      // Each operation ends a family of its own, opened before the window.
      label: "Baton revocation",
      ...revocationPool(firstRefreshToken, (ctx, token) => ({
        path: "/oauth2/revoke",
        headers: { ...FORM, Authorization: webAuth(ctx) },
        body: form({ token, token_type_hint: "refresh_token" }),
      })),
    }),
    route("registration", {
      // An MCP client registering itself (RFC 7591). Each request comes from its own address
      // (CF-Connecting-IP), as a launch day's clients do: one source is limited to 20 a minute.
      label: "Baton dynamic registration",
      ...registration("/oauth2/register", randomSource),
    }),
    route("token-exchange", {
      // A gateway exchanging a user's access token for one to a downstream API (RFC 8693).
      label: "Baton token exchange",
      openChain: (client, ctx) => firstAccessToken(client, ctx),
      step: keepState(
        (ctx, token) => ({
          path: "/oauth2/token",
          headers: { ...FORM, Authorization: basicAuth(ctx.gateway.client_id, ctx.gateway.client_secret) },
          body: form({
            grant_type: TOKEN_EXCHANGE_GRANT,
            subject_token: token,
            subject_token_type: ACCESS_TOKEN_TYPE,
            resource: RESOURCE,
          }),
        }),
        (response) => response.status === 200 && json(response).access_token !== undefined,
      ),
    }),
    route("device-poll", {
      // A device polling a code nobody has answered yet, in a closed loop: slow_down (or
      // authorization_pending), from the grant object's memory, writing nothing.
      label: "Baton device poll (pending)",
      openChain: async (client, ctx) => {
        // From an address of its own, as the registrations are: one source is limited to 20 a minute.
        const asked = await client.request("POST", "/oauth2/device_authorization", {
          headers: { ...FORM, ...randomSource() },
          body: form({ client_id: ctx.device.client_id, scope: SCOPE }),
        });
        if (asked.status !== 200) throw new Error(`device authorization answered ${asked.status}`);
        return JSON.parse(asked.body).device_code;
      },
      step: keepState(
        (ctx, code) => ({
          path: "/oauth2/token",
          headers: FORM,
          body: form({ grant_type: DEVICE_CODE_GRANT, device_code: code, client_id: ctx.device.client_id }),
        }),
        (response) => response.status === 400 && ["slow_down", "authorization_pending"].includes(json(response).error),
      ),
    }),
  ];
}
