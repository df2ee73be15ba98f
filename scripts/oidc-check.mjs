#!/usr/bin/env node
// `npm run test:oidc`: OpenID Connect behaviour as openid-client (v6) checks it, against a real,
// isolated `wrangler dev` signing with an ES256 key first and an RS256 key second:
//   1. a client registered with `id_token_signed_response_alg: "RS256"` gets RS256 ID tokens,
//      which openid-client, told to expect RS256, accepts (the access token stays ES256);
//   2. `max_age=60`: completing the login with an hour-old `auth_time` is 400 `login_required`
//      and leaves the request pending; a fresh `auth_time` completes it, and
//      `authorizationCodeGrant` with `maxAge: 60` accepts the ID token's `auth_time`;
//   3. RP-initiated logout from `buildEndSessionUrl`: 302 to the `post_logout_redirect_uri` with
//      the same state, then that session's refresh token is `invalid_grant` and its access token
//      fails at userinfo, while another session of the same user keeps working;
//   4. sign out everywhere (`POST /admin/users/SUBJECT/revoke`), then at once a new login whose
//      completion gives no `auth_time`: the old session is refused, the new one gets tokens
//      (the two may fall in one second: they are ordered to the millisecond).
// The host application's part (reading and completing the pending authorization request) goes
// through the admin API, so the test chooses `auth_time`.
//
// Prints one line per part and a verdict; exits 1 on failure. Only 127.0.0.1 is addressed.
import { performance } from "node:perf_hooks";
import { decodeProtectedHeader } from "jose";
import * as oidc from "openid-client";
import { freePort, startDevServer } from "./dev-server.mjs";
import { generateSigningKey } from "./signing-keys.mjs";
import { giveUpAfter, reportFailure } from "./check-failure.mjs";

const DEADLINE_MS = 20_000;
const SCOPE = "openid email profile offline_access";
const started = performance.now();
const user = { subject: "user_oidc_check", claims: { email: "oidc@example.com", name: "Barbara Liskov" } };
// Nothing listens at the client's address: the answers are read off the Location headers.
const clientBase = `http://127.0.0.1:${await freePort()}`;
const redirectUri = `${clientBase}/callback`;
const postLogoutRedirectUri = `${clientBase}/signed-out`;
const [es256, rs256] = [await generateSigningKey("ES256"), await generateSigningKey("RS256")];
const baton = await startDevServer({ vars: { SIGNING_KEYS: JSON.stringify({ keys: [es256, rs256] }) } });
let current = "start";
let ok = false;
giveUpAfter("oidc", DEADLINE_MS, baton, () => current);

try {
  const now = () => Math.floor(Date.now() / 1000);

  step("RS256 ID tokens");
  const created = await admin("POST", "/admin/clients", {
    client_name: "openid-client RS256",
    redirect_uris: [redirectUri],
    post_logout_redirect_uris: [postLogoutRedirectUri],
    grant_types: ["authorization_code", "refresh_token"],
    token_endpoint_auth_method: "client_secret_basic",
    scope: SCOPE,
    id_token_signed_response_alg: "RS256",
  });
  if (created.status !== 201) throw new Error(`POST /admin/clients answered ${created.status}: ${created.text}`);
  const client = created.json;
  const config = await oidc.discovery(
    new URL(baton.url),
    client.client_id,
    { id_token_signed_response_alg: "RS256" },
    oidc.ClientSecretBasic(client.client_secret),
    // Plain http is fine on 127.0.0.1; openid-client insists on being told so.
    { execute: [oidc.allowInsecureRequests] },
  );
  const first = await authorize(config);
  const firstAuthTime = now() - 5;
  const firstCallback = await complete(first.id, firstAuthTime);
  if (firstCallback.status !== 200) throw new Error(`complete answered ${firstCallback.status}: ${firstCallback.text}`);
  // Checks state, iss (RFC 9207), PKCE, and the ID token: signature, alg (RS256, as configured), iss, aud, nonce.
  const session = await oidc.authorizationCodeGrant(config, new URL(firstCallback.json.redirect_to), {
    pkceCodeVerifier: first.verifier,
    expectedState: first.state,
    expectedNonce: first.nonce,
    idTokenExpected: true,
  });
  const idAlg = decodeProtectedHeader(session.id_token);
  if (idAlg.alg !== "RS256" || idAlg.kid !== rs256.kid) {
    throw new Error(`the ID token is signed with ${idAlg.alg} (kid ${idAlg.kid}), not RS256 (kid ${rs256.kid})`);
  }
  const claims = session.claims();
  if (claims?.sub !== user.subject || claims.auth_time !== firstAuthTime) {
    throw new Error(`the ID token has sub ${claims?.sub} and auth_time ${claims?.auth_time}`);
  }
  // The client's algorithm is for its ID tokens only: the access token is still signed by the first key.
  const accessAlg =
    session.access_token.split(".").length === 3 ? decodeProtectedHeader(session.access_token).alg : "opaque";
  if (accessAlg !== "ES256") throw new Error(`the access token is ${accessAlg}, not ES256 as the first key signs`);
  report(`RS256 ID token accepted by openid-client (kid ${idAlg.kid}, auth_time as completed); access token ES256`);

  step("max_age=60");
  const second = await authorize(config, { max_age: "60" });
  const asked = await admin("GET", `/admin/authorizations/${second.id}`);
  if (asked.json?.max_age !== 60)
    throw new Error(`the pending request shows max_age ${asked.json?.max_age}: ${asked.text}`);
  const stale = await complete(second.id, now() - 3600);
  if (stale.status !== 400 || stale.json?.error !== "login_required") {
    throw new Error(`completing with an hour-old auth_time answered ${stale.status}: ${stale.text}`);
  }
  const still = await admin("GET", `/admin/authorizations/${second.id}`);
  if (still.status !== 200) throw new Error(`after the refusal the request answers ${still.status}, not 200 (pending)`);
  const freshAuthTime = now();
  const fresh = await complete(second.id, freshAuthTime);
  if (fresh.status !== 200)
    throw new Error(`completing with a fresh auth_time answered ${fresh.status}: ${fresh.text}`);
  // With maxAge, openid-client requires auth_time in the ID token and checks it is recent enough.
  const other = await oidc.authorizationCodeGrant(config, new URL(fresh.json.redirect_to), {
    pkceCodeVerifier: second.verifier,
    expectedState: second.state,
    expectedNonce: second.nonce,
    maxAge: 60,
    idTokenExpected: true,
  });
  if (other.claims()?.auth_time !== freshAuthTime)
    throw new Error(`auth_time ${other.claims()?.auth_time}, not ${freshAuthTime}`);
  report(
    "max_age=60: hour-old auth_time refused (400 login_required, still pending); fresh one accepted with maxAge 60",
  );

  step("RP-initiated logout");
  // Control: the session works before it is ended.
  await oidc.fetchUserInfo(config, session.access_token, user.subject);
  const logoutState = oidc.randomState();
  const endSession = oidc.buildEndSessionUrl(config, {
    id_token_hint: session.id_token,
    post_logout_redirect_uri: postLogoutRedirectUri,
    state: logoutState,
  });
  const loggedOut = await fetch(loopbackOnly(endSession), { redirect: "manual" });
  const location = loggedOut.headers.get("location");
  if (loggedOut.status !== 302 || location === null) {
    throw new Error(
      `GET ${endSession.pathname} answered ${loggedOut.status}: ${(await loggedOut.text()).slice(0, 300)}`,
    );
  }
  const back = new URL(location);
  if (
    `${back.origin}${back.pathname}` !== postLogoutRedirectUri ||
    back.searchParams.getAll("state").join() !== logoutState
  ) {
    throw new Error(`logout redirected to ${location}, not ${postLogoutRedirectUri} with state ${logoutState}`);
  }
  await expectError("the refresh token after logout", oidc.refreshTokenGrant(config, session.refresh_token), (e) =>
    e?.error === "invalid_grant" ? undefined : `not invalid_grant: ${e?.error ?? e?.message}`,
  );
  await expectError("userinfo after logout", oidc.fetchUserInfo(config, session.access_token, user.subject), (e) =>
    e instanceof oidc.WWWAuthenticateChallengeError &&
    e.status === 401 &&
    e.cause.some((c) => c.scheme === "bearer" && c.parameters.error === "invalid_token")
      ? undefined
      : `not 401 with a Bearer invalid_token challenge: ${e?.status ?? ""} ${e?.message}`,
  );
  // Control: only the session named by the hint's sid ended.
  await oidc.fetchUserInfo(config, other.access_token, user.subject);
  report(
    "logout: 302 to post_logout_redirect_uri with state; refresh invalid_grant, userinfo 401; other session unaffected",
  );

  step("sign out everywhere, then in again at once");
  const signedOut = await admin("POST", `/admin/users/${encodeURIComponent(user.subject)}/revoke`);
  if (signedOut.status !== 204) throw new Error(`sign out everywhere answered ${signedOut.status}: ${signedOut.text}`);
  const signedOutMs = Date.now();
  const again = await authorize(config);
  const againCallback = await complete(again.id, undefined);
  if (againCallback.status !== 200) throw new Error(`complete answered ${againCallback.status}: ${againCallback.text}`);
  const renewed = await oidc.authorizationCodeGrant(config, new URL(againCallback.json.redirect_to), {
    pkceCodeVerifier: again.verifier,
    expectedState: again.state,
    expectedNonce: again.nonce,
    idTokenExpected: true,
  });
  const gap = Date.now() - signedOutMs;
  await oidc.fetchUserInfo(config, renewed.access_token, user.subject);
  await expectError(
    "the other session after sign out everywhere",
    oidc.refreshTokenGrant(config, other.refresh_token),
    (e) => (e?.error === "invalid_grant" ? undefined : `not invalid_grant: ${e?.error ?? e?.message}`),
  );
  report(`sign out everywhere: the old session invalid_grant; a login ${gap} ms later got tokens and userinfo`);
  ok = true;
} catch (error) {
  reportFailure("oidc", current, error);
} finally {
  await baton.stop();
}
console.log(
  `OpenID Connect checks (openid-client) against wrangler dev: ${ok ? "passed" : "FAILED"} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
process.exit(ok ? 0 : 1);

/**
 * Sends the browser to /oauth2/authorize with PKCE, state and nonce (and `extra` parameters) and
 * returns the pending request's id from the hand-off to the login page.
 */
async function authorize(config, extra = {}) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: SCOPE,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    nonce,
    ...extra,
  });
  const response = await fetch(loopbackOnly(url), { redirect: "manual" });
  const location = response.headers.get("location");
  const id = location === null ? null : new URL(location, url).searchParams.get("authorization_request");
  if (response.status !== 302 || id === null) {
    throw new Error(
      `GET /oauth2/authorize answered ${response.status} (Location ${location}): ${(await response.text()).slice(0, 300)}`,
    );
  }
  return { id, verifier, state, nonce };
}

/** The host application's completion of a pending request, with the `auth_time` it reports. */
function complete(id, authTime) {
  return admin("POST", `/admin/authorizations/${id}/complete`, {
    subject: user.subject,
    claims: user.claims,
    auth_time: authTime,
  });
}

async function admin(method, path, body) {
  const response = await fetch(loopbackOnly(new URL(path, baton.url)), {
    method,
    headers: {
      Authorization: `Bearer ${baton.adminToken}`,
      ...(body !== undefined && { "Content-Type": "application/json" }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: response.status, text: text.slice(0, 300), json };
}

async function expectError(what, promise, judge) {
  let error;
  try {
    await promise;
  } catch (caught) {
    error = caught;
  }
  if (error === undefined) throw new Error(`${what} was accepted`);
  const wrong = judge(error);
  if (wrong !== undefined) throw new Error(`${what}: ${wrong}`);
}

function loopbackOnly(url) {
  const parsed = new URL(url);
  if (parsed.hostname !== "127.0.0.1") throw new Error(`refusing to load ${parsed.origin}: only 127.0.0.1`);
  return parsed;
}

function step(name) {
  current = name;
}

function report(what) {
  console.log(`oidc: ${what}`);
}
