#!/usr/bin/env node
// `npm run test:browser`: oidc-client-ts, in a real headless Chromium, against a real, isolated
// `wrangler dev` with the development login. A single-page app (spa.js, bundled by esbuild)
// signs in with signinRedirect() through the dev login form, refreshes from two tabs at the
// same moment with the same refresh token (both succeed, with one successor), signs out with
// signoutRedirect() back to its registered post_logout_redirect_uri, and the session's tokens
// are then refused when asked directly. Chromium comes from CHROMIUM_PATH, else /usr/bin/chromium
// (Debian's `apt-get install -y chromium`).
import { existsSync } from "node:fs";
import puppeteer from "puppeteer-core";
import { freePort, startDevServer } from "../dev-server.mjs";
import { startAppServer } from "./app-server.mjs";

const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const SUBJECT = "user_browser";

function check(condition, message) {
  if (!condition) throw new Error(message);
  console.log(`  ok: ${message}`);
}

/** Waits until the app's page says `state` (or failed), and returns what it reported. */
async function appState(page, state) {
  await page.waitForFunction(
    (wanted) => [wanted, "error"].includes(document.body?.dataset.state),
    { timeout: 15_000 },
    state,
  );
  const [reached, result] = await page.evaluate(() => [document.body.dataset.state, window.appResult]);
  if (reached === "error") throw new Error(`the app failed: ${result.message}`);
  return result;
}

async function registerSpa(server, origin) {
  const response = await fetch(`${server.url}/admin/clients`, {
    method: "POST",
    headers: { Authorization: `Bearer ${server.adminToken}`, "Content-Type": "application/json" },
    body: JSON.stringify({
      client_name: "Browser check SPA",
      redirect_uris: [`${origin}/callback`],
      post_logout_redirect_uris: [`${origin}/signed-out`],
      grant_types: ["authorization_code", "refresh_token"],
      token_endpoint_auth_method: "none",
      scope: "openid profile email offline_access",
    }),
  });
  if (response.status !== 201) throw new Error(`registering the app: ${response.status} ${await response.text()}`);
  return response.json();
}

/** A refresh_token grant request sent straight from here, as the check's own witness. */
async function directRefresh(server, clientId, refreshToken) {
  const response = await fetch(`${server.url}/oauth2/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken, client_id: clientId }),
  });
  return { status: response.status, body: await response.json() };
}

function userinfoStatus(server, accessToken) {
  return fetch(`${server.url}/oauth2/userinfo`, { headers: { Authorization: `Bearer ${accessToken}` } }).then(
    (response) => response.status,
  );
}

async function run(browser, server, app, clientId) {
  // signinRedirect() through the development login, filled in and submitted in the page.
  const first = await browser.newPage();
  await first.goto(`${app.origin}/`);
  await appState(first, "ready");
  await Promise.all([first.waitForNavigation(), first.evaluate(() => void window.app.signIn())]);
  check(new URL(first.url()).pathname === "/dev/login", "signinRedirect() lands on the development login");
  await first.$eval("#subject", (input) => (input.value = ""));
  await first.type("#subject", SUBJECT);
  await Promise.all([first.waitForNavigation(), first.click('button[value="approve"]')]);
  const signedIn = await appState(first, "signed-in");
  check(signedIn.profile.sub === SUBJECT, "signinRedirectCallback() holds the user who logged in");
  check(signedIn.profile.email === "dev@example.com", "the profile has the claims of the login (userinfo too)");
  check(typeof signedIn.refresh_token === "string", "the app holds a refresh token (offline_access)");

  // Two tabs of the app refresh at the same moment with the refresh token both have stored.
  const second = await browser.newPage();
  await second.goto(`${app.origin}/`);
  await appState(second, "ready");
  const presented = [];
  for (const page of [first, second]) {
    page.on("request", (request) => {
      if (request.url() === `${server.url}/oauth2/token` && request.method() === "POST") {
        presented.push(new URLSearchParams(request.postData()).get("refresh_token"));
      }
    });
  }
  const [one, other] = await Promise.all([first, second].map((page) => page.evaluate(() => window.app.refresh())));
  check(
    presented.length === 2 && presented.every((token) => token === signedIn.refresh_token),
    "both tabs presented the same refresh token at once",
  );
  check(one.refresh_token !== signedIn.refresh_token, "both refreshes succeeded with a new refresh token");
  check(one.refresh_token === other.refresh_token, "the two tabs got one and the same successor");
  check(one.access_token === other.access_token, "and the very same answer (the retry window's replay)");
  check((await userinfoStatus(server, one.access_token)) === 200, "the new access token works");

  // signoutRedirect() ends the session at Baton and comes back to the app.
  const logouts = [];
  first.on("request", (request) => {
    if (request.url().startsWith(`${server.url}/oauth2/logout`)) logouts.push(new URL(request.url()));
  });
  await Promise.all([first.waitForNavigation(), first.evaluate(() => void window.app.signOut())]);
  const signedOut = await appState(first, "signed-out");
  const logout = logouts[0];
  check(
    logout?.searchParams.get("id_token_hint") === one.id_token &&
      logout.searchParams.get("post_logout_redirect_uri") === `${app.origin}/signed-out`,
    "signoutRedirect() sent the ID token and the registered post_logout_redirect_uri",
  );
  check(
    first.url() === `${app.origin}/signed-out?state=${logout.searchParams.get("state")}`,
    "Baton sent the browser back with the state",
  );
  check(signedOut.state?.from === "check", "signoutRedirectCallback() matched its state");
  check((await second.evaluate(() => window.app.user())) === null, "the other tab's stored user is gone too");

  // The session is over at Baton: asked directly, its tokens are refused.
  const successor = await directRefresh(server, clientId, one.refresh_token);
  check(
    successor.status === 400 && successor.body.error === "invalid_grant",
    "the refresh token the app held is refused (invalid_grant)",
  );
  const original = await directRefresh(server, clientId, signedIn.refresh_token);
  check(original.status === 400 && original.body.error === "invalid_grant", "so is the one before it");
  check((await userinfoStatus(server, one.access_token)) === 401, "and the access token (userinfo 401)");
}

const started = Date.now();
let status = 1;
if (!existsSync(CHROMIUM)) {
  console.log(`browser check: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
} else {
  const config = {};
  const app = await startAppServer(await freePort(), config);
  const server = await startDevServer();
  let browser;
  try {
    const client = await registerSpa(server, app.origin);
    Object.assign(config, { issuer: server.url, clientId: client.client_id });
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      // As root (CI), Chromium's sandbox cannot start.
      args: ["--no-sandbox", "--disable-dev-shm-usage"],
    });
    await run(browser, server, app, client.client_id);
    status = 0;
  } catch (error) {
    console.log(`browser check: ${error instanceof Error ? error.message : error}`);
    console.log(server.output());
  } finally {
    await browser?.close();
    await server.stop();
    await app.close();
  }
}
console.log(
  `oidc-client-ts in Chromium against wrangler dev: ${status === 0 ? "passed" : "FAILED"} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
process.exit(status);
