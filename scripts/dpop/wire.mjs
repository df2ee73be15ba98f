// What the DPoP check sees of proofs and nonces on the wire. The libraries keep their nonces to
// themselves, so a recording fetch reads each proof as sent and each answer as received: that
// is the only way to tell that a library really carried Baton's DPoP-Nonce, and that a stale
// one was answered use_dpop_nonce rather than quietly accepted.
import { decodeJwt, decodeProtectedHeader } from "jose";
import * as oauth from "oauth4webapi";

// A nonce this server never made: what a client holds once its nonce has gone stale.
export const STALE_NONCE = "AAAAAAAAAAAAAAAAAAAAAAAAAAA";

/**
 * DPoP handle options (for oauth4webapi's DPoP() and openid-client's getDPoPHandle alike) that
 * put STALE_NONCE into the next proof after `plant()`, once: as if the handle's cached nonce
 * had expired, which a run this short could not otherwise bring about.
 */
export function staleNonceOnce() {
  let planted = false;
  return {
    options: {
      [oauth.modifyAssertion]: (_header, payload) => {
        if (planted) {
          payload.nonce = STALE_NONCE;
          planted = false;
        }
      },
    },
    plant() {
      planted = true;
    },
  };
}

/** A fetch that notes, per request to Baton, the proof's nonce and ath, and the answer's status, error and DPoP-Nonce. */
export function recordingFetch(log) {
  return async (url, init) => {
    const proof = new Headers(init?.headers).get("dpop");
    const response = await fetch(url, init);
    if (proof !== null) {
      if (decodeProtectedHeader(proof).typ !== "dpop+jwt") throw new Error("a proof without typ dpop+jwt");
      const claims = decodeJwt(proof);
      let error;
      // A clone: the library still has to read the body itself to see the error.
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
export function expectNoncesCarried(log) {
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
