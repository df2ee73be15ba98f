/**
 * The DPoP proof of a request, checked at the edge before anything else is done with it: at
 * most one `DPoP` header, a valid proof for this method and URL (and access token, at a
 * resource), and a fresh nonce whenever the proof carries one. Its `jti` travels on, hashed, to
 * the grant's object, which remembers it (see grant/dpop-binding.ts).
 *
 * @see RFC 9449 §4.3, §7.1, §8
 */
import type { Config } from "../config";
import { encodeBase64url } from "../encoding/base64url";
import { sha256 } from "../encoding/sha256";
import { OAuthError } from "../errors";
import type { DpopProofRef } from "../grant/rpc";
import { serverKeys } from "../secrets/server-keys";
import { checkDpopProof } from "../tokens/dpop-proof";
import { currentNonce, isFreshNonce } from "./nonce";

/** Reads and checks the request's proof; `undefined` when it carries none. */
export async function readDpopProof(
  request: Request,
  target: { method: string; url: string; accessToken?: string },
  config: Config,
  now: number,
): Promise<DpopProofRef | undefined> {
  const header = request.headers.get("DPoP");
  if (header === null) return undefined;
  // Two headers arrive joined by a comma, which no proof contains (RFC 9449 §4.3, point 1).
  if (header.includes(",")) throw invalidProof();
  const check = await checkDpopProof(header.trim(), { ...target, now });
  if (!check.ok) throw invalidProof();
  const keys = await serverKeys(config);
  if (check.nonce !== undefined && !(await isFreshNonce(keys, check.nonce, now))) {
    throw new OAuthError("use_dpop_nonce", "The DPoP proof must carry the nonce this server gave.", 400, {
      "DPoP-Nonce": await currentNonce(keys, now),
    });
  }
  return { jkt: check.jkt, jtiHash: encodeBase64url(await sha256(check.jti)), expiresAt: check.expiresAt };
}

/** The nonce to offer with an answer to a request that carried a proof (RFC 9449 §8). */
export async function nonceHeader(config: Config, now: number): Promise<Record<string, string>> {
  return { "DPoP-Nonce": await currentNonce(await serverKeys(config), now) };
}

/** 400 `invalid_dpop_proof` for a proof whose `jti` was already taken (RFC 9449 §11.1). */
export function replayedProof(): OAuthError {
  return new OAuthError("invalid_dpop_proof", "This DPoP proof was used before.");
}

/**
 * 429 `invalid_dpop_proof`: the memory of live proofs that would keep this one is full (a
 * session's in its grant object, or a client's in its registry object) until `retryAfter`
 * seconds from now. Forgetting a live proof to make room would let it be replayed.
 *
 * @see RFC 9449 §11.1, RFC 6585 §4
 */
export function tooManyProofs(retryAfter: number): OAuthError {
  return new OAuthError("invalid_dpop_proof", "Too many DPoP proofs at once; retry later.", 429, {
    "Retry-After": String(retryAfter),
  });
}

/** 400 `invalid_dpop_proof`. */
export function invalidProof(
  description = "The DPoP proof is missing, malformed or not valid for this request.",
): OAuthError {
  return new OAuthError("invalid_dpop_proof", description);
}
