/**
 * Verifying a DPoP proof (RFC 9449 §4.3): a JWT the client signs with its own key, carrying that
 * key's public half in the header, bound to this request's method and URL and, at a resource,
 * to the access token. Whether its `jti` was seen before, and whether a nonce was due, are the
 * caller's questions.
 *
 * @see RFC 9449 §4.2 (the proof), §4.3 (checking it), RFC 7638 (JWK thumbprint)
 */
import { EmbeddedJWK, calculateJwkThumbprint, decodeProtectedHeader, jwtVerify, type JWK } from "jose";
import { encodeBase64url } from "../encoding/base64url";
import { sha256 } from "../encoding/sha256";

/** The algorithms a proof may be signed with: asymmetric only (RFC 9449 §4.2). */
export const DPOP_ALGORITHMS = ["ES256", "EdDSA", "RS256", "PS256"] as const;

/** How old a proof may be, and how far ahead of our clock, in seconds (RFC 9449 §11.1). */
export const PROOF_MAX_AGE = 300;
const PROOF_MAX_AHEAD = 60;
// A proof is a few hundred bytes (an RSA key makes it about a kilobyte); anything longer is not one.
const MAX_PROOF_LENGTH = 4096;
// Members only a private or symmetric key has (RFC 7518 §6): a proof carries a public key.
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];
const KEY_TYPES = new Set(["EC", "OKP", "RSA"]);

/** What the proof must be bound to. */
export interface ProofTarget {
  method: string;
  /** The request's URL; its query and fragment are ignored (RFC 9449 §4.3, point 9). */
  url: string;
  /** At a resource: the access token the proof must hash (`ath`). */
  accessToken?: string;
  /** Seconds since the epoch. */
  now: number;
}

/** A valid proof: its key's thumbprint, its `jti`, when it lapses, and the nonce it carried. */
export type ProofCheck =
  | { ok: true; jkt: string; jti: string; expiresAt: number; nonce: string | undefined }
  | { ok: false; reason: "malformed" | "algorithm" | "key" | "signature" | "claims" };

/** Checks one proof against `target`. Never throws for input. */
export async function checkDpopProof(proof: string, target: ProofTarget): Promise<ProofCheck> {
  if (proof.length > MAX_PROOF_LENGTH || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(proof)) {
    return { ok: false, reason: "malformed" };
  }
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(proof);
  } catch {
    return { ok: false, reason: "malformed" };
  }
  if (header.typ !== "dpop+jwt") return { ok: false, reason: "malformed" };
  if (!(DPOP_ALGORITHMS as readonly string[]).includes(String(header.alg))) return { ok: false, reason: "algorithm" };
  const jwk = header.jwk as JWK | undefined;
  if (!isPublicKey(jwk)) return { ok: false, reason: "key" };
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(proof, EmbeddedJWK, { typ: "dpop+jwt", algorithms: [...DPOP_ALGORITHMS] }));
  } catch {
    // jose's own refusals, and WebCrypto's for key material it cannot import (a point off the
    // curve, a tiny modulus): only the header's contents went into this call, so any failure
    // is the proof's.
    return { ok: false, reason: "signature" };
  }
  const { jti, htm, htu, iat, ath, nonce } = payload;
  if (typeof jti !== "string" || jti.length === 0 || jti.length > 256) return { ok: false, reason: "claims" };
  if (htm !== target.method || typeof htu !== "string" || !sameTarget(htu, target.url)) {
    return { ok: false, reason: "claims" };
  }
  if (typeof iat !== "number" || iat < target.now - PROOF_MAX_AGE || iat > target.now + PROOF_MAX_AHEAD) {
    return { ok: false, reason: "claims" };
  }
  if (target.accessToken !== undefined && ath !== encodeBase64url(await sha256(target.accessToken))) {
    return { ok: false, reason: "claims" };
  }
  if (target.accessToken === undefined && ath !== undefined) return { ok: false, reason: "claims" };
  if (nonce !== undefined && typeof nonce !== "string") return { ok: false, reason: "claims" };
  return {
    ok: true,
    jkt: await calculateJwkThumbprint(jwk!, "sha256"),
    jti,
    // Remembered one second past the last second it is accepted in.
    expiresAt: iat + PROOF_MAX_AGE + 1,
    nonce: nonce as string | undefined,
  };
}

/** The thumbprint of a public JWK (RFC 7638), for `dpop_jkt` values and tests. */
export function jwkThumbprint(jwk: JWK): Promise<string> {
  return calculateJwkThumbprint(jwk, "sha256");
}

function isPublicKey(jwk: JWK | undefined): boolean {
  if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk)) return false;
  if (!KEY_TYPES.has(String(jwk.kty))) return false;
  return PRIVATE_MEMBERS.every((member) => !(member in jwk));
}

/**
 * `htu` and the request URL, compared without query and fragment (RFC 9449 §4.3, point 9) after
 * RFC 3986 §6.2.2's syntax-based normalization: the URL parser lower-cases scheme and host,
 * drops a default port and resolves dot segments; escapes are then spelled one way.
 */
function sameTarget(htu: string, url: string): boolean {
  try {
    const a = new URL(htu);
    const b = new URL(url);
    return a.origin === b.origin && normalEscapes(a.pathname) === normalEscapes(b.pathname);
  } catch {
    return false;
  }
}

/** An escaped unreserved character as itself, any other escape in upper case (RFC 3986 §6.2.2.1–2). */
function normalEscapes(path: string): string {
  return path.replace(/%[0-9A-Fa-f]{2}/g, (escape) => {
    const char = String.fromCharCode(parseInt(escape.slice(1), 16));
    return /[A-Za-z0-9\-._~]/.test(char) ? char : escape.toUpperCase();
  });
}
