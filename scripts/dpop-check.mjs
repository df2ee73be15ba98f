#!/usr/bin/env node
// `npm run test:dpop`: DPoP (RFC 9449) with two client libraries written elsewhere, against a
// real, isolated `wrangler dev`, each with a public client (token_endpoint_auth_method none)
// registered through the admin API and signed in through the development login
// (./mcp/browser.mjs). Its parts, one module each in ./dpop/:
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
import { performance } from "node:perf_hooks";
import { freePort, startDevServer } from "./dev-server.mjs";
import { giveUpAfter, reportFailure } from "./check-failure.mjs";
import { fullProofMemory } from "./dpop/full-proof-memory.mjs";
import { oauth4webapiFlow } from "./dpop/oauth4webapi-flow.mjs";
import { openidClientFlow } from "./dpop/openid-client-flow.mjs";
import { discover } from "./dpop/setup.mjs";
import { stolenRefreshToken } from "./dpop/stolen-refresh-token.mjs";

const DEADLINE_MS = 30_000;
const started = performance.now();
const baton = await startDevServer();
let current = "start";
let ok = false;
giveUpAfter("dpop", DEADLINE_MS, baton, () => current);
// What each part is handed to say where it is (for a failure or a hang) and what it showed.
const progress = {
  step: (name) => (current = name),
  report: (what) => console.log(`dpop: ${what}`),
};

try {
  const redirectUri = `http://127.0.0.1:${await freePort()}/callback`;
  const as = await discover(baton);
  const context = { baton, as, redirectUri, ...progress };
  // Parts 3 and 4 go on with part 1's client, its key and its handle's nonce.
  const dpopClient = await oauth4webapiFlow(context);
  await openidClientFlow(context);
  await stolenRefreshToken(dpopClient, progress);
  await fullProofMemory(dpopClient, progress);
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
