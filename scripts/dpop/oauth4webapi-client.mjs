// The oauth4webapi client that parts 1, 3 and 4 of the DPoP check share: one registration, one
// key pair, one DPoP() handle. Sharing it is the point: the stolen token of part 3 and the full
// proof memory of part 4 are this client's, so its handle's nonce and key carry from part to part
// as they would in one long-lived application.
import * as oauth from "oauth4webapi";
import { signIn } from "../mcp/browser.mjs";
import { INSECURE, SCOPE, USER, registerPublicClient } from "./setup.mjs";
import { recordingFetch, staleNonceOnce } from "./wire.mjs";

/**
 * Registers the client and makes its handle.
 * @returns {{ as, client, keyPair, jkt, options, wire, plantStaleNonce, signIn, refresh }}
 *   `options` go with every request that should carry a proof; `wire` is every exchange made with them
 */
export async function oauth4webapiClient(baton, as, redirectUri) {
  const client = { client_id: (await registerPublicClient(baton, "oauth4webapi DPoP", redirectUri)).client_id };
  const keyPair = await oauth.generateKeyPair("ES256");
  // Every exchange with Baton, as the library sent and received it: each proof's nonce, and each answer's DPoP-Nonce.
  const wire = [];
  const stale = staleNonceOnce();
  const dpop = oauth.DPoP(client, keyPair, stale.options);
  const options = { ...INSECURE, DPoP: dpop, [oauth.customFetch]: recordingFetch(wire) };
  const jkt = await dpop.calculateThumbprint();
  return {
    as,
    client,
    keyPair,
    jkt,
    options,
    wire,
    plantStaleNonce: stale.plant,
    signIn: () => signInBound(as, client, options, redirectUri, jkt),
    /** One refresh; `requestOptions` replace the client's own to send another key's proof, or none. */
    refresh: async (refreshToken, requestOptions = options) =>
      oauth.processRefreshTokenResponse(
        as,
        client,
        await oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshToken, requestOptions),
      ),
  };
}

/**
 * Signs in with PKCE, state and dpop_jkt (so the code itself is bound to the key, RFC 9449
 * §10) and redeems the code with a proof.
 */
async function signInBound(as, client, options, redirectUri, jkt) {
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
  const params = oauth.validateAuthResponse(as, client, await signIn(url, USER), state);
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
  // Every part goes on to refresh: without a refresh token there would be nothing to check.
  if (tokens.refresh_token === undefined) throw new Error("no refresh_token with offline_access");
  return tokens;
}
