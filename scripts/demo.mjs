#!/usr/bin/env node
// `npm run demo`: against a running `npm run dev`, walks through Baton's whole story with
// oauth4webapi, a client library written elsewhere: register a client, log in with the
// authorization code flow (PKCE and nonce; the login is completed through the admin hand-off as
// your application would), refresh twice, replay a lost answer, then watch reuse detection
// revoke the family.
//
// `npm run demo -- --port 8788` or `--url URL` (else BATON_URL, else http://localhost:8787) and
// ADMIN_TOKEN (default: read from .dev.vars) point it at another instance.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as oauth from "oauth4webapi";
import { DEMO_USAGE, DemoUsageError, demoTarget } from "./demo-target.mjs";
import { readSetting } from "./dev-vars.mjs";

const baseUrl = target();
const adminToken = process.env.ADMIN_TOKEN ?? readDevVar("ADMIN_TOKEN");
const redirectUri = "http://127.0.0.1:9999/callback";
// Plain http is fine on localhost; oauth4webapi insists on being told so.
const insecure = { [oauth.allowInsecureRequests]: baseUrl.startsWith("http://") };

function readDevVar(name) {
  const file = join(dirname(fileURLToPath(import.meta.url)), "..", ".dev.vars");
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    fail(`no ADMIN_TOKEN given and ${file} does not exist: run \`npm run dev\` first`);
  }
  return readSetting(text, name) ?? fail(`${name} is not in .dev.vars`);
}

function target() {
  try {
    const parsed = demoTarget(process.argv.slice(2), process.env);
    if (!parsed.help) return parsed.baseUrl;
    console.log(DEMO_USAGE);
    process.exit(0);
  } catch (error) {
    if (!(error instanceof DemoUsageError)) throw error;
    console.error(`demo: ${error.message}`);
    process.exit(2);
  }
}

function fail(message) {
  console.error(`\ndemo: ${message}`);
  process.exit(1);
}

function step(title) {
  console.log(`\n== ${title}`);
}

function decode(jwt) {
  const [header, payload] = jwt
    .split(".")
    .slice(0, 2)
    .map((part) => JSON.parse(Buffer.from(part, "base64url")));
  return { header, payload };
}

function short(token) {
  return `${token.slice(0, 14)}…${token.slice(-6)}`;
}

async function admin(method, path, body) {
  const response = await fetch(baseUrl + path, {
    method,
    headers: { Authorization: `Bearer ${adminToken}`, ...(body && { "Content-Type": "application/json" }) },
    ...(body && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) fail(`${method} ${path} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function rawRefresh(client, refreshToken) {
  const response = await fetch(`${baseUrl}/oauth2/token`, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      Authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString("base64")}`,
    },
    body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken }),
  });
  return { status: response.status, text: await response.text() };
}

try {
  await fetch(baseUrl);
} catch {
  fail(`nothing answers at ${baseUrl}: start it with \`npm run dev\``);
}

step("1. Register a client through the admin API");
const client = await admin("POST", "/admin/clients", {
  client_name: "Baton demo",
  redirect_uris: [redirectUri],
  grant_types: ["authorization_code", "refresh_token"],
  token_endpoint_auth_method: "client_secret_basic",
  scope: "openid profile email offline_access",
});
console.log(`client_id ${client.client_id}, secret ${short(client.client_secret)} (shown once, stored hashed)`);

step("2. Discover the server");
const issuer = new URL(baseUrl);
const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
console.log(`issuer ${as.issuer}\ntoken endpoint ${as.token_endpoint}\ngrants ${as.grant_types_supported.join(", ")}`);
const oauthClient = { client_id: client.client_id };
const clientAuth = oauth.ClientSecretBasic(client.client_secret);

step("3. Send the user to /oauth2/authorize (PKCE S256, nonce, state)");
const codeVerifier = oauth.generateRandomCodeVerifier();
const nonce = oauth.generateRandomNonce();
const state = oauth.generateRandomState();
const authorizeUrl = new URL(as.authorization_endpoint);
authorizeUrl.search = new URLSearchParams({
  response_type: "code",
  client_id: client.client_id,
  redirect_uri: redirectUri,
  scope: "openid profile email offline_access",
  state,
  nonce,
  code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
  code_challenge_method: "S256",
}).toString();
const toLogin = await fetch(authorizeUrl, { redirect: "manual" });
const loginLocation = toLogin.headers.get("Location");
if (toLogin.status !== 302 || !loginLocation) fail(`authorize answered ${toLogin.status}`);
const requestId = new URL(loginLocation).searchParams.get("authorization_request");
// The id is the pending request itself, sealed: long, so only its start is shown.
console.log(
  `302 to the login page: ${new URL(loginLocation).pathname}?authorization_request=${requestId.slice(0, 16)}…`,
);

step("4. Your application shows consent, logs the user in, and completes the request");
console.log("asked:", await admin("GET", `/admin/authorizations/${requestId}`));
const completed = await admin("POST", `/admin/authorizations/${requestId}/complete`, {
  subject: "user_demo",
  claims: {
    email: "ada@example.com",
    email_verified: true,
    name: "Ada Lovelace",
    given_name: "Ada",
    family_name: "Lovelace",
  },
});
console.log(`redirect_to ${completed.redirect_to.replace(/code=[^&]+/, "code=ac_…")}`);

step("5. Exchange the code (authorization_code grant)");
const callback = oauth.validateAuthResponse(as, oauthClient, new URL(completed.redirect_to), state);
const first = await oauth.processAuthorizationCodeResponse(
  as,
  oauthClient,
  await oauth.authorizationCodeGrantRequest(as, oauthClient, clientAuth, callback, redirectUri, codeVerifier, insecure),
  { expectedNonce: nonce, requireIdToken: true },
);
console.log("access token", decode(first.access_token));
console.log("id token claims (validated by oauth4webapi)", oauth.getValidatedIdTokenClaims(first));
console.log(`refresh token ${short(first.refresh_token)}  (generation 0)`);

step("6. Refresh twice: each answer rotates the refresh token");
const second = await oauth.processRefreshTokenResponse(
  as,
  oauthClient,
  await oauth.refreshTokenGrantRequest(as, oauthClient, clientAuth, first.refresh_token, insecure),
);
console.log(`refresh 1: ${short(first.refresh_token)} retired -> ${short(second.refresh_token)}`);
const retry = await rawRefresh(client, second.refresh_token);
const third = JSON.parse(retry.text);
console.log(`refresh 2: ${short(second.refresh_token)} retired -> ${short(third.refresh_token)}`);
console.log("id token on refresh keeps auth_time, drops nonce:", {
  auth_time: decode(third.id_token).payload.auth_time,
  nonce: decode(third.id_token).payload.nonce ?? "(none)",
});

step("7. The answer to refresh 2 got lost: the client sends the same token again");
const replay = await rawRefresh(client, second.refresh_token);
console.log(`status ${replay.status}; byte-identical to the first answer: ${replay.text === retry.text}`);
if (replay.text !== retry.text) fail("the replay inside the retry window was not identical");

step("8. An attacker replays the generation-0 token: reuse detection");
const reuse = await rawRefresh(client, first.refresh_token);
console.log(`old token: ${reuse.status} ${reuse.text}`);
const newest = await rawRefresh(client, third.refresh_token);
console.log(`newest token after the reuse: ${newest.status} ${newest.text}`);
if (reuse.status !== 400 || newest.status !== 400) fail("reuse did not revoke the family");
console.log("\nThe whole family is revoked: the user signs in again. Demo complete.");
