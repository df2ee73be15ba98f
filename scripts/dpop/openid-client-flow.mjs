// Part 2 of the DPoP check: openid-client v6's getDPoPHandle, the API most relying parties
// reach for. Unlike oauth4webapi it retries use_dpop_nonce itself, so the stale nonce planted
// before the refresh checks that Baton's answer is one the library recognises, not merely one a
// hand-written retry could work around.
import * as oidc from "openid-client";
import { signIn } from "../mcp/browser.mjs";
import { expectBound } from "./expect.mjs";
import { SCOPE, USER, installedVersion, registerPublicClient } from "./setup.mjs";
import { expectNoncesCarried, recordingFetch, staleNonceOnce } from "./wire.mjs";

export async function openidClientFlow({ baton, redirectUri, step, report }) {
  step("openid-client: discovery, sign-in, code flow with DPoP");
  const rp = await registerPublicClient(baton, "openid-client DPoP", redirectUri);
  const config = await oidc.discovery(new URL(baton.url), rp.client_id, undefined, oidc.None(), {
    execute: [oidc.allowInsecureRequests],
  });
  const wire = [];
  config[oidc.customFetch] = recordingFetch(wire);
  const stale = staleNonceOnce();
  const dpop = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair("ES256"), stale.options);
  const jkt = await dpop.calculateThumbprint();
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
      dpop_jkt: jkt,
    }),
    USER,
  );
  const tokens = await oidc.authorizationCodeGrant(
    config,
    callback,
    { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce },
    undefined,
    { DPoP: dpop },
  );
  expectBound(tokens, jkt);
  if (tokens.claims()?.sub !== USER.subject) throw new Error("the ID token is for someone else");

  step("openid-client: refresh with a stale nonce, retried by the library");
  stale.plant();
  const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token, undefined, { DPoP: dpop });
  expectBound(refreshed, jkt);
  const retries = wire.filter((exchange) => exchange.error === "use_dpop_nonce").length;
  if (retries !== 1) throw new Error(`expected one use_dpop_nonce answer, saw ${retries}`);

  step("openid-client: fetchUserInfo with DPoP");
  const info = await oidc.fetchUserInfo(config, refreshed.access_token, USER.subject, { DPoP: dpop });
  if (info.email !== USER.email) throw new Error(`userinfo's email is ${info.email}, not ${USER.email}`);
  const carried = expectNoncesCarried(wire);
  report(
    `openid-client ${installedVersion("openid-client")}: getDPoPHandle code flow with dpop_jkt (token_type DPoP), refresh ` +
      `(stale nonce retried by the library), fetchUserInfo; ${carried} proofs carried Baton's DPoP-Nonce`,
  );
}
