#!/usr/bin/env node
// `npm run test:dpop`: DPoP (RFC 9449) with two client libraries written elsewhere, against a
// real, isolated `wrangler dev`, each with a public client (token_endpoint_auth_method none)
// registered through the admin API and signed in through the development login
// (./mcp/browser.mjs):
//   1. oauth4webapi's DPoP() handle: an authorization request with dpop_jkt, the code redeemed
//      with PKCE and a proof (token_type DPoP, cnf.jkt), three refreshes in a chain, userinfo
//      with a proof; every proof after the first carries the DPoP-Nonce of the answer before it,
//      and a proof with a stale nonce gets use_dpop_nonce and is retried with the fresh one
//      (the isDPoPNonceError pattern); revocation, after which the refresh is refused.
//   2. openid-client v6's getDPoPHandle: code flow, refresh (a stale nonce retried by the
//      library itself), fetchUserInfo with DPoP.
//   3. A stolen refresh token: presented without a proof, then with another key's proof, it is
//      invalid_grant both times, and the real client goes on refreshing.
//   4. A full memory of proofs: oauth4webapi refreshes one session until it holds the 300 live
//      proofs a session keeps; the next refresh is 429 invalid_dpop_proof with Retry-After, and
//      its refresh token stays active (introspection).
//
// Prints one line per part and a verdict; exits 1 on failure. Only 127.0.0.1 is addressed.
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader } from "jose";
import * as oauth from "oauth4webapi";
import * as oidc from "openid-client";
import { freePort, startDevServer } from "./dev-server.mjs";
import { signIn } from "./mcp/browser.mjs";
import { giveUpAfter, reportFailure } from "./check-failure.mjs";

const DEADLINE_MS = 30_000;
const SCOPE = "openid email profile offline_access";
// A nonce this server never made: what a client holds once its nonce has gone stale.
const STALE_NONCE = "AAAAAAAAAAAAAAAAAAAAAAAAAAA";
const started = performance.now();
const user = { subject: "user_dpop", email: "dpop@example.com", name: "Katherine Johnson" };
const baton = await startDevServer();
let current = "start";
let ok = false;
giveUpAfter("dpop", DEADLINE_MS, baton, () => current);

try {
  const redirectUri = `http://127.0.0.1:${await freePort()}/callback`;
  const insecure = { [oauth.allowInsecureRequests]: true };
  const as = await oauth.processDiscoveryResponse(
    new URL(baton.url),
    await oauth.discoveryRequest(new URL(baton.url), insecure),
  );
  if (!as.dpop_signing_alg_values_supported?.includes("ES256")) {
    throw new Error("discovery does not list ES256 in dpop_signing_alg_values_supported");
  }

  // 1. oauth4webapi
  step("oauth4webapi: registration and sign-in with dpop_jkt");
  const client = { client_id: (await registerPublicClient("oauth4webapi DPoP", redirectUri)).client_id };
  const keyPair = await oauth.generateKeyPair("ES256");
  // Every exchange with Baton, as the library sent and received it: each proof's nonce, and each answer's DPoP-Nonce.
  const wire = [];
  let plantNonce = false;
  const dpop = oauth.DPoP(client, keyPair, {
    // The next proof carries a stale nonce (once), as if the handle's cached nonce had expired.
    [oauth.modifyAssertion]: (_header, payload) => {
      if (plantNonce) {
        payload.nonce = STALE_NONCE;
        plantNonce = false;
      }
    },
  });
  const options = { ...insecure, DPoP: dpop, [oauth.customFetch]: recordingFetch(wire) };
  const jkt = await dpop.calculateThumbprint();
  const joseJkt = await calculateJwkThumbprint(await crypto.subtle.exportKey("jwk", keyPair.publicKey), "sha256");
  if (jkt !== joseJkt) throw new Error(`thumbprints differ: oauth4webapi ${jkt}, jose ${joseJkt}`);

  const first = await oauth4webapiSignIn(as, client, options, redirectUri, jkt);
  expectBound(first, jkt);
  if (wire[0].proofNonce !== undefined) throw new Error("the first proof carried a nonce before Baton gave one");
  if (wire[0].answerNonce === undefined) throw new Error("the code's DPoP answer offered no DPoP-Nonce");

  step("oauth4webapi: three refreshes in a chain");
  let tokens = first;
  let retried = 0;
  for (let i = 0; i < 3; i++) {
    // The first refresh starts with a stale nonce: Baton answers use_dpop_nonce, the library keeps the new one.
    plantNonce = i === 0;
    let result;
    try {
      result = await oauth.processRefreshTokenResponse(
        as,
        client,
        await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token, options),
      );
    } catch (error) {
      if (!oauth.isDPoPNonceError(error)) throw error;
      retried++;
      result = await oauth.processRefreshTokenResponse(
        as,
        client,
        await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token, options),
      );
    }
    if (result.refresh_token === undefined || result.refresh_token === tokens.refresh_token) {
      throw new Error(`refresh ${i + 1}: the refresh token was not rotated`);
    }
    expectBound(result, jkt);
    tokens = result;
  }
  if (retried !== 1) throw new Error(`expected one use_dpop_nonce retry, saw ${retried}`);
  const stale = wire.find((exchange) => exchange.proofNonce === STALE_NONCE);
  if (stale?.status !== 400 || stale.error !== "use_dpop_nonce" || stale.answerNonce === undefined) {
    throw new Error(
      `the stale nonce was answered ${stale?.status} ${stale?.error}, not 400 use_dpop_nonce with a DPoP-Nonce`,
    );
  }

  step("oauth4webapi: userinfo with DPoP");
  const infoResponse = await oauth.userInfoRequest(as, client, tokens.access_token, options);
  const info = await oauth.processUserInfoResponse(as, client, user.subject, infoResponse);
  if (info.email !== user.email) throw new Error(`userinfo's email is ${info.email}, not ${user.email}`);
  const userinfoProof = wire.at(-1);
  if (userinfoProof.ath === undefined) throw new Error("the userinfo proof carried no ath");
  // Every proof after the first token answer carried the nonce of the answer just before it.
  const carried = expectNoncesCarried(wire);

  step("oauth4webapi: revocation, then the refresh is refused");
  await oauth.processRevocationResponse(
    await oauth.revocationRequest(as, client, oauth.None(), tokens.refresh_token, {
      ...options,
      additionalParameters: { token_type_hint: "refresh_token" },
    }),
  );
  await expectOAuthError(
    () =>
      oauth
        .refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token, options)
        .then((response) => oauth.processRefreshTokenResponse(as, client, response)),
    "invalid_grant",
  );
  part(
    `oauth4webapi ${pkg("oauth4webapi")}: dpop_jkt code flow (token_type DPoP, cnf.jkt), 3 refreshes, userinfo, ` +
      `${carried} proofs carried Baton's DPoP-Nonce, 1 stale nonce retried after use_dpop_nonce, revoked → invalid_grant`,
  );

  // 2. openid-client
  step("openid-client: discovery, sign-in, code flow with DPoP");
  const rp = await registerPublicClient("openid-client DPoP", redirectUri);
  const config = await oidc.discovery(new URL(baton.url), rp.client_id, undefined, oidc.None(), {
    execute: [oidc.allowInsecureRequests],
  });
  const rpWire = [];
  config[oidc.customFetch] = recordingFetch(rpWire);
  let rpPlant = false;
  const rpDpop = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair("ES256"), {
    [oauth.modifyAssertion]: (_header, payload) => {
      if (rpPlant) {
        payload.nonce = STALE_NONCE;
        rpPlant = false;
      }
    },
  });
  const rpJkt = await rpDpop.calculateThumbprint();
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const callback = await signIn(
    oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: SCOPE,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state,
      nonce,
      dpop_jkt: rpJkt,
    }),
    user,
  );
  const rpTokens = await oidc.authorizationCodeGrant(
    config,
    callback,
    { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce },
    undefined,
    { DPoP: rpDpop },
  );
  expectBound(rpTokens, rpJkt);
  if (rpTokens.claims()?.sub !== user.subject) throw new Error("the ID token is for someone else");

  step("openid-client: refresh with a stale nonce, retried by the library");
  rpPlant = true;
  const rpRefreshed = await oidc.refreshTokenGrant(config, rpTokens.refresh_token, undefined, { DPoP: rpDpop });
  expectBound(rpRefreshed, rpJkt);
  const rpRetries = rpWire.filter((exchange) => exchange.error === "use_dpop_nonce").length;
  if (rpRetries !== 1) throw new Error(`expected one use_dpop_nonce answer, saw ${rpRetries}`);

  step("openid-client: fetchUserInfo with DPoP");
  const rpInfo = await oidc.fetchUserInfo(config, rpRefreshed.access_token, user.subject, { DPoP: rpDpop });
  if (rpInfo.email !== user.email) throw new Error(`userinfo's email is ${rpInfo.email}, not ${user.email}`);
  const rpCarried = expectNoncesCarried(rpWire);
  part(
    `openid-client ${pkg("openid-client")}: getDPoPHandle code flow with dpop_jkt (token_type DPoP), refresh ` +
      `(stale nonce retried by the library), fetchUserInfo; ${rpCarried} proofs carried Baton's DPoP-Nonce`,
  );

  // 3. A stolen refresh token of the public client of part 1, on a fresh family.
  step("stolen refresh token: sign-in");
  let family = await oauth4webapiSignIn(as, client, options, redirectUri, jkt);
  const refreshReal = async () => {
    const result = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, oauth.None(), family.refresh_token, options),
    );
    expectBound(result, jkt);
    family = result;
  };

  step("stolen refresh token: presented without a proof");
  const plain = await fetch(as.token_endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: family.refresh_token,
      client_id: client.client_id,
    }),
  });
  const plainBody = await plain.json().catch(() => ({}));
  if (plain.status !== 400 || plainBody.error !== "invalid_grant") {
    throw new Error(`without a proof: ${plain.status} ${plainBody.error ?? "(no error)"}, not 400 invalid_grant`);
  }
  step("stolen refresh token: the real client refreshes after the proofless try");
  await refreshReal();

  step("stolen refresh token: presented with another key's proof");
  const thief = oauth.DPoP(client, await oauth.generateKeyPair("ES256"));
  await expectOAuthError(
    () =>
      oauth
        .refreshTokenGrantRequest(as, client, oauth.None(), family.refresh_token, { ...insecure, DPoP: thief })
        .then((response) => oauth.processRefreshTokenResponse(as, client, response)),
    "invalid_grant",
  );
  step("stolen refresh token: the real client refreshes after the other key's try");
  await refreshReal();
  await refreshReal();
  part(
    "stolen refresh token: no proof → 400 invalid_grant, another key's proof → 400 invalid_grant; " +
      "the real client refreshed after each (3 rotations), family intact",
  );

  // 4. A session keeps at most 300 live proofs (their 5 minutes); the next is refused with when to retry.
  step("full proof memory: sign-in, then refreshes until the session holds 300 live proofs");
  let busy = await oauth4webapiSignIn(as, client, options, redirectUri, jkt);
  let refreshed = 0;
  let refused;
  while (refused === undefined && refreshed < 320) {
    try {
      busy = await oauth.processRefreshTokenResponse(
        as,
        client,
        await oauth.refreshTokenGrantRequest(as, client, oauth.None(), busy.refresh_token, options),
      );
      refreshed++;
    } catch (error) {
      if (!(error instanceof oauth.ResponseBodyError)) throw error;
      refused = error;
    }
  }
  // The code's proof and 299 refreshes' fill the memory: the 300th refresh is the first refused.
  if (refreshed !== 299) throw new Error(`the memory filled after ${refreshed} refreshes, not 299`);
  const retryAfter = refused.response.headers.get("retry-after");
  if (refused.status !== 429 || refused.error !== "invalid_dpop_proof" || !/^\d+$/.test(retryAfter ?? "")) {
    throw new Error(`a full memory answered ${refused.status} ${refused.error}, Retry-After ${retryAfter}`);
  }
  if (Number(retryAfter) > 301) throw new Error(`Retry-After ${retryAfter} is beyond the proofs' lifetime`);
  step("full proof memory: the refused refresh token is still the session's current one");
  const busyToken = await oauth.processIntrospectionResponse(
    as,
    client,
    await oauth.introspectionRequest(as, client, oauth.None(), busy.refresh_token, insecure),
  );
  if (busyToken.active !== true) throw new Error("the refresh token refused for a full memory is no longer active");
  part(
    `full proof memory: ${refreshed} refreshes, then 429 invalid_dpop_proof with Retry-After ${retryAfter} s ` +
      "(oauth4webapi's ResponseBodyError); the refused refresh token still active",
  );
  ok = true;
} catch (error) {
  reportFailure("dpop", current, error);
} finally {
  await baton.stop();
}
console.log(
  `DPoP against wrangler dev: ${ok ? "passed" : "FAILED"} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
process.exit(ok ? 0 : 1);

/** Signs in with oauth4webapi: PKCE, state, dpop_jkt; redeems the code with a proof. */
async function oauth4webapiSignIn(as, client, options, redirectUri, jkt) {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(as.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: client.client_id,
    redirect_uri: redirectUri,
    response_type: "code",
    scope: SCOPE,
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    dpop_jkt: jkt,
  }).toString();
  const params = oauth.validateAuthResponse(as, client, await signIn(url, user), state);
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    oauth.None(),
    params,
    redirectUri,
    verifier,
    options,
  );
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
  if (tokens.refresh_token === undefined) throw new Error("no refresh_token with offline_access");
  return tokens;
}

async function registerPublicClient(name, redirectUri) {
  const response = await fetch(`${baton.url}/admin/clients`, {
    method: "POST",
    headers: { Authorization: `Bearer ${baton.adminToken}`, "Content-Type": "application/json" },
    body: JSON.stringify({
      client_name: name,
      redirect_uris: [redirectUri],
      grant_types: ["authorization_code", "refresh_token"],
      token_endpoint_auth_method: "none",
      scope: SCOPE,
    }),
  });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`POST /admin/clients: ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** A fetch that notes, per request to Baton, the proof's nonce and ath, and the answer's status, error and DPoP-Nonce. */
function recordingFetch(log) {
  return async (url, init) => {
    const proof = new Headers(init?.headers).get("dpop");
    const response = await fetch(url, init);
    if (proof !== null) {
      if (decodeProtectedHeader(proof).typ !== "dpop+jwt") throw new Error("a proof without typ dpop+jwt");
      const claims = decodeJwt(proof);
      let error;
      if (!response.ok)
        error = await response
          .clone()
          .json()
          .then(
            (body) => body.error,
            () => undefined,
          );
      log.push({
        path: new URL(url).pathname,
        proofNonce: claims.nonce,
        ath: claims.ath,
        status: response.status,
        error,
        answerNonce: response.headers.get("dpop-nonce") ?? undefined,
      });
    }
    return response;
  };
}

/**
 * Every proof after the first answer that offered a nonce carried the latest nonce offered
 * (Baton's nonces last a 5-minute step, so the one it offers does not change within this run),
 * save the one the script made stale on purpose. Returns how many carried it.
 */
function expectNoncesCarried(log) {
  let offered;
  let carried = 0;
  for (const exchange of log) {
    if (offered !== undefined && exchange.proofNonce !== STALE_NONCE) {
      if (exchange.proofNonce !== offered) {
        throw new Error(`a proof to ${exchange.path} carried nonce ${exchange.proofNonce}, not the offered ${offered}`);
      }
      carried++;
    }
    offered = exchange.answerNonce ?? offered;
  }
  if (carried === 0) throw new Error("no proof carried a nonce");
  return carried;
}

/** A token response bound to `jkt`: token_type DPoP, the access token's cnf.jkt. */
function expectBound(tokens, jkt) {
  if (tokens.token_type?.toLowerCase() !== "dpop") throw new Error(`token_type is ${tokens.token_type}, not DPoP`);
  const cnf = decodeJwt(tokens.access_token).cnf;
  if (cnf?.jkt !== jkt) throw new Error(`the access token's cnf.jkt is ${cnf?.jkt}, not ${jkt}`);
}

async function expectOAuthError(call, code) {
  try {
    await call();
  } catch (error) {
    if (error?.error === code) return;
    throw error;
  }
  throw new Error(`expected ${code}, the request succeeded`);
}

/** The installed version of a package. */
function pkg(name) {
  return JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), "utf8")).version;
}

function step(name) {
  current = name;
}

function part(what) {
  console.log(`dpop: ${what}`);
}
