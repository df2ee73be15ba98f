#!/usr/bin/env node
// `npm run test:openid-client`: openid-client (v6), a relying-party library written elsewhere,
// against a real, isolated `wrangler dev` with dynamic registration open: discovery and
// `dynamicClientRegistration` (a confidential client, client_secret_basic), an OpenID Connect
// code flow with PKCE, state and nonce signed in through the development login (./browser.mjs),
// the ID token and userinfo as the library checks them, a refresh, then revocation, after which
// the refresh token is refused.
//
// Prints one line per step and a verdict; exits 1 on failure. Only 127.0.0.1 is addressed.
import { performance } from "node:perf_hooks";
import * as oidc from "openid-client";
import { freePort, startDevServer } from "../dev-server.mjs";
import { signIn } from "./browser.mjs";
import { giveUpAfter, reportFailure } from "../check-failure.mjs";

const DEADLINE_MS = 20_000;
const started = performance.now();
const user = { subject: "user_openid_client", email: "rp@example.com", name: "Grace Hopper" };
const baton = await startDevServer({ vars: { DYNAMIC_REGISTRATION: "open" } });
let current = "start";
let ok = false;
giveUpAfter("openid-client", DEADLINE_MS, baton, () => current);
try {
  const redirectUri = `http://127.0.0.1:${await freePort()}/callback`;

  step("discovery and dynamic client registration");
  const config = await oidc.dynamicClientRegistration(
    new URL(baton.url),
    {
      client_name: "openid-client e2e",
      redirect_uris: [redirectUri],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
    oidc.ClientSecretBasic(),
    // Plain http is fine on 127.0.0.1; openid-client insists on being told so.
    { execute: [oidc.allowInsecureRequests] },
  );
  const registered = config.clientMetadata();
  if (typeof registered.client_secret !== "string") throw new Error("the registration returned no client_secret");
  done(`registered ${registered.client_id} (${registered.token_endpoint_auth_method})`);

  step("authorization code flow with PKCE through the development login");
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const authorizationUrl = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: "openid email profile offline_access",
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    nonce,
  });
  const callback = await signIn(authorizationUrl, user);
  // Checks state, iss (RFC 9207), the ID token's signature, iss, aud, nonce, and PKCE at the token endpoint.
  const tokens = await oidc.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
  });
  const claims = tokens.claims();
  if (claims?.sub !== user.subject) throw new Error(`the ID token's sub is ${claims?.sub}, not ${user.subject}`);
  if (tokens.refresh_token === undefined) throw new Error("no refresh_token with offline_access");
  done(`code redeemed: ID token for ${claims.sub}, scope "${tokens.scope}"`);

  step("userinfo");
  const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
  if (info.email !== user.email) throw new Error(`userinfo's email is ${info.email}, not ${user.email}`);
  done(`userinfo: ${info.email}, ${info.name}`);

  step("refresh");
  const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token);
  if (refreshed.refresh_token === undefined || refreshed.refresh_token === tokens.refresh_token) {
    throw new Error("the refresh token was not rotated");
  }
  if (refreshed.access_token === tokens.access_token) throw new Error("no new access token");
  if (refreshed.claims()?.sub !== user.subject) throw new Error("the refreshed ID token is for someone else");
  done("refreshed: new refresh, access and ID tokens");

  step("revocation, then the refresh token is refused");
  await oidc.tokenRevocation(config, refreshed.refresh_token, { token_type_hint: "refresh_token" });
  try {
    await oidc.refreshTokenGrant(config, refreshed.refresh_token);
    throw new Error("the revoked refresh token still refreshed");
  } catch (error) {
    if (error?.error !== "invalid_grant") throw error;
  }
  done("revoked: refresh answers invalid_grant");
  ok = true;
} catch (error) {
  reportFailure("openid-client", current, error);
} finally {
  await baton.stop();
}
console.log(
  `openid-client against wrangler dev: ${ok ? "passed" : "FAILED"} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
process.exit(ok ? 0 : 1);

function step(name) {
  current = name;
}

function done(what) {
  console.log(`openid-client: ${what}`);
}
