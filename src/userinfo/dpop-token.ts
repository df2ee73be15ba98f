/**
 * A DPoP-bound access token at a resource (RFC 9449 §7): `Authorization: DPoP <token>` with a
 * proof by the token's key (`cnf.jkt`) that hashes the token (`ath`). A bound token presented as
 * `Bearer`, or an unbound one as `DPoP`, is refused with the DPoP challenge.
 *
 * @see RFC 9449 §7.1 (the challenge), §7.2 (`ath`)
 */
import type { Config } from "../config";
import { readDpopProof } from "../dpop/request-proof";
import { OAuthError } from "../errors";
import { insufficientScope } from "./bearer-token";
import type { DpopProofRef } from "../grant/rpc";

const DPOP_HEADER = /^DPoP +([A-Za-z0-9\-._~+/]+=*) *$/i;
/** The proof algorithms the DPoP challenge names (RFC 9449 §7.1 `algs`). */
const ALGS = 'algs="ES256 EdDSA RS256 PS256"';

/** 401 with the DPoP challenge (RFC 9449 §7.1). */
export function invalidDpopToken(): OAuthError {
  return new OAuthError("invalid_token", "The access token is invalid, expired, revoked or not proved.", 401, {
    "WWW-Authenticate": `DPoP error="invalid_token", ${ALGS}`,
  });
}

/**
 * 403 for a proved DPoP token without the scope required, in the DPoP scheme the token came
 * with (RFC 9449 §7.1, RFC 6750 §3.1).
 */
export function insufficientDpopScope(scope: string): OAuthError {
  const bearer = insufficientScope(scope);
  return new OAuthError(bearer.code, bearer.description, bearer.status, {
    "WWW-Authenticate": `DPoP error="insufficient_scope", scope="${scope}", ${ALGS}`,
  });
}

/** The token of an `Authorization: DPoP` header; `undefined` for any other scheme. */
export function dpopSchemeToken(header: string | null): string | undefined {
  if (header === null || !/^DPoP(?: |$)/i.test(header)) return undefined;
  const match = DPOP_HEADER.exec(header);
  if (match === null) throw invalidDpopToken();
  return match[1]!;
}

/**
 * Checks that a verified token's binding matches how it came: a bound token (with `jkt`) only
 * as `DPoP` with a proof by that key, an unbound one only as `Bearer`. Returns the proof, to be
 * remembered by the grant.
 *
 * @throws OAuthError 401 `invalid_token` with the DPoP challenge otherwise; 400 for a bad proof.
 */
export async function checkBinding(
  request: Request,
  target: { method: string; url: string },
  token: string,
  viaDpop: boolean,
  jkt: string | undefined,
  config: Config,
  now: number,
): Promise<DpopProofRef | undefined> {
  if (!viaDpop) {
    if (jkt !== undefined) throw invalidDpopToken();
    return undefined;
  }
  if (jkt === undefined) throw invalidDpopToken();
  let proof: DpopProofRef | undefined;
  try {
    proof = await readDpopProof(request, { ...target, accessToken: token }, config, now);
  } catch (error) {
    throw asResourceError(error);
  }
  if (proof?.jkt !== jkt) throw invalidDpopToken();
  return proof;
}

/**
 * A proof's refusal as a resource answers it (RFC 9449 §7.1, §9): 401 with the error in the
 * DPoP challenge, where the token endpoint says it in a 400 body. A client retries a
 * `use_dpop_nonce` only when it reads it there.
 */
function asResourceError(error: unknown): unknown {
  if (!(error instanceof OAuthError) || (error.code !== "use_dpop_nonce" && error.code !== "invalid_dpop_proof")) {
    return error;
  }
  return new OAuthError(error.code, error.description, 401, {
    ...error.headers,
    "WWW-Authenticate": `DPoP error="${error.code}", ${ALGS}`,
  });
}
