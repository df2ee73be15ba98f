// Part 1 of the DPoP check: oauth4webapi's DPoP() handle through a whole session. The code is
// bound with dpop_jkt, three refreshes chain, userinfo takes a proof with ath, and every proof
// after the first carries the DPoP-Nonce of the answer before it. One proof is given a stale
// nonce, because the recovery (use_dpop_nonce, then a retry that isDPoPNonceError leaves to the
// application) is what a long-lived client meets and a short run would never show. Revocation
// ends the family.
import { calculateJwkThumbprint } from "jose";
import * as oauth from "oauth4webapi";
import { expectBound, expectOAuthError } from "./expect.mjs";
import { oauth4webapiClient } from "./oauth4webapi-client.mjs";
import { USER, installedVersion } from "./setup.mjs";
import { STALE_NONCE, expectNoncesCarried } from "./wire.mjs";

/** Runs part 1 and resolves with its client, which parts 3 and 4 go on using. */
export async function oauth4webapiFlow({ baton, as, redirectUri, step, report }) {
  step("oauth4webapi: registration and sign-in with dpop_jkt");
  const dpopClient = await oauth4webapiClient(baton, as, redirectUri);
  const { client, jkt, options, wire } = dpopClient;
  // dpop_jkt is only as good as the thumbprint: a second implementation must agree on it.
  const joseJkt = await calculateJwkThumbprint(
    await crypto.subtle.exportKey("jwk", dpopClient.keyPair.publicKey),
    "sha256",
  );
  if (jkt !== joseJkt) throw new Error(`thumbprints differ: oauth4webapi ${jkt}, jose ${joseJkt}`);

  const first = await dpopClient.signIn();
  expectBound(first, jkt);
  if (wire[0].proofNonce !== undefined) throw new Error("the first proof carried a nonce before Baton gave one");
  if (wire[0].answerNonce === undefined) throw new Error("the code's DPoP answer offered no DPoP-Nonce");

  step("oauth4webapi: three refreshes in a chain");
  let tokens = first;
  let retried = 0;
  // The first refresh starts with a stale nonce: Baton answers use_dpop_nonce, the library keeps the new one.
  dpopClient.plantStaleNonce();
  for (let i = 0; i < 3; i++) {
    let result;
    try {
      result = await dpopClient.refresh(tokens.refresh_token);
    } catch (error) {
      if (!oauth.isDPoPNonceError(error)) throw error;
      retried++;
      result = await dpopClient.refresh(tokens.refresh_token);
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
  const info = await oauth.processUserInfoResponse(as, client, USER.subject, infoResponse);
  if (info.email !== USER.email) throw new Error(`userinfo's email is ${info.email}, not ${USER.email}`);
  // ath ties the proof to this access token (RFC 9449 §4.2): a resource must refuse one without it.
  if (wire.at(-1).ath === undefined) throw new Error("the userinfo proof carried no ath");
  const carried = expectNoncesCarried(wire);

  step("oauth4webapi: revocation, then the refresh is refused");
  await oauth.processRevocationResponse(
    await oauth.revocationRequest(as, client, oauth.None(), tokens.refresh_token, {
      ...options,
      additionalParameters: { token_type_hint: "refresh_token" },
    }),
  );
  await expectOAuthError(() => dpopClient.refresh(tokens.refresh_token), "invalid_grant");
  report(
    `oauth4webapi ${installedVersion("oauth4webapi")}: dpop_jkt code flow (token_type DPoP, cnf.jkt), 3 refreshes, userinfo, ` +
      `${carried} proofs carried Baton's DPoP-Nonce, 1 stale nonce retried after use_dpop_nonce, revoked → invalid_grant`,
  );
  return dpopClient;
}
