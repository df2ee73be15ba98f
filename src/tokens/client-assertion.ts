/**
 * Verifying a `private_key_jwt` client assertion: a JWT the client signed with one of its own
 * asymmetric keys, naming itself as `iss` and `sub` and this server as `aud`, short-lived and
 * carrying a `jti`. Whether that `jti` was seen before is the caller's question.
 *
 * @see RFC 7523 §3 (JWT format and processing), OIDC Core §9 (`private_key_jwt`), RFC 8725 §3.1
 */
import { decodeJwt, decodeProtectedHeader, errors, importJWK, jwtVerify, type JWK, type JWTPayload } from "jose";

/** The JWS algorithms a client may sign its assertion with: asymmetric only, never HS* or none. */
export const ASSERTION_ALGORITHMS = ["RS256", "PS256", "ES256", "EdDSA"] as const;

/** One of {@link ASSERTION_ALGORITHMS}. */
export type AssertionAlgorithm = (typeof ASSERTION_ALGORITHMS)[number];

/** The latest `exp` accepted, in seconds from now (plus {@link CLOCK_SKEW}). */
export const MAX_ASSERTION_LIFETIME = 300;

/** How far the client's clock may be off ours, in seconds, for `exp`, `nbf` and `iat`. */
export const CLOCK_SKEW = 30;

// Assertions are a few hundred bytes; a longer one is refused before any parsing.
const MAX_ASSERTION_LENGTH = 8192;
// A set may hold several keys of one type (a rotation); past this many tries, stop.
const MAX_KEYS_TRIED = 5;

/** What the assertion must say. */
export interface ExpectedAssertion {
  clientId: string;
  /** `aud` must be, or be an array holding, one of these. */
  audiences: string[];
  /** Seconds since the epoch. */
  now: number;
}

/** A verified assertion's replay identity, or why it was refused (for the log only). */
export type AssertionCheck =
  | { ok: true; jti: string; exp: number }
  | { ok: false; reason: "malformed" | "algorithm" | "unknown_key" | "signature" | "claims" };

/**
 * The client an assertion names, before anything about it is verified: its `sub`, when `iss`
 * is the same non-empty string (RFC 7523 §3 items 1 and 2). `undefined` for anything else.
 */
export function assertionClientId(assertion: string): string | undefined {
  if (assertion.length > MAX_ASSERTION_LENGTH) return undefined;
  let claims: JWTPayload;
  try {
    claims = decodeJwt(assertion);
  } catch {
    return undefined;
  }
  const { iss, sub } = claims;
  return typeof sub === "string" && sub !== "" && iss === sub ? sub : undefined;
}

/**
 * Verifies `assertion` against the client's public `keys`: an allowed algorithm, a key of the
 * set that fits it (the `kid` when the header names one, else every key of the right type), and
 * the claims of RFC 7523 §3: `iss` = `sub` = the client, an accepted `aud`, an `exp` in the
 * future yet at most {@link MAX_ASSERTION_LIFETIME} seconds ahead, `nbf` and `iat` not in the
 * future, and a `jti`.
 */
export async function verifyClientAssertion(
  assertion: string,
  keys: readonly Record<string, unknown>[],
  expected: ExpectedAssertion,
): Promise<AssertionCheck> {
  if (assertion.length > MAX_ASSERTION_LENGTH) return { ok: false, reason: "malformed" };
  let alg: unknown;
  let kid: unknown;
  try {
    ({ alg, kid } = decodeProtectedHeader(assertion));
  } catch {
    return { ok: false, reason: "malformed" };
  }
  if (!isAssertionAlgorithm(alg)) return { ok: false, reason: "algorithm" };
  const candidates = keys.filter((jwk) => fits(jwk, alg) && (kid === undefined || jwk.kid === kid));
  if (candidates.length === 0) return { ok: false, reason: "unknown_key" };
  for (const jwk of candidates.slice(0, MAX_KEYS_TRIED)) {
    const key = await importPublicKey(jwk, alg);
    if (key === undefined) continue;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(assertion, key, {
        algorithms: [alg],
        issuer: expected.clientId,
        subject: expected.clientId,
        audience: expected.audiences,
        requiredClaims: ["exp", "jti"],
        clockTolerance: CLOCK_SKEW,
        currentDate: new Date(expected.now * 1000),
      }));
    } catch (error) {
      // Another key of the same type may have signed it; anything else is about the token.
      if (error instanceof errors.JWSSignatureVerificationFailed) continue;
      if (error instanceof errors.JOSEError) return { ok: false, reason: "claims" };
      throw error;
    }
    return replayIdentity(payload, expected.now);
  }
  return { ok: false, reason: "signature" };
}

/** The checks jose leaves to the caller: the `exp` bound, `iat`, and `jti`'s type. */
function replayIdentity(payload: JWTPayload, now: number): AssertionCheck {
  const { jti, exp, iat } = payload;
  if (typeof jti !== "string" || jti === "" || typeof exp !== "number") return { ok: false, reason: "claims" };
  if (exp > now + MAX_ASSERTION_LIFETIME + CLOCK_SKEW) return { ok: false, reason: "claims" };
  if (iat !== undefined && iat > now + CLOCK_SKEW) return { ok: false, reason: "claims" };
  return { ok: true, jti, exp };
}

function isAssertionAlgorithm(alg: unknown): alg is AssertionAlgorithm {
  return ASSERTION_ALGORITHMS.includes(alg as AssertionAlgorithm);
}

/**
 * Whether `jwk` may verify a signature made with `alg`: its type and curve, and its own `alg`,
 * `use` and `key_ops` where it states them (RFC 7517 §4.2–4.4, RFC 8725 §3.1).
 */
function fits(jwk: Record<string, unknown>, alg: AssertionAlgorithm): boolean {
  if (jwk.alg !== undefined && jwk.alg !== alg) return false;
  if (jwk.use !== undefined && jwk.use !== "sig") return false;
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes("verify"))) return false;
  switch (alg) {
    case "RS256":
    case "PS256":
      return jwk.kty === "RSA";
    case "ES256":
      return jwk.kty === "EC" && jwk.crv === "P-256";
    case "EdDSA":
      return jwk.kty === "OKP" && jwk.crv === "Ed25519";
  }
}

// Members of a public JWK per key type (RFC 7518 §6, RFC 8037 §2); anything else is not imported.
const PUBLIC_MEMBERS = ["kty", "crv", "x", "y", "n", "e"] as const;

// Keys imported once per JWK object and algorithm: client records and fetched sets are cached
// per isolate, and so are their imported keys.
const imported = new WeakMap<object, Map<AssertionAlgorithm, Promise<CryptoKey | undefined>>>();

function importPublicKey(jwk: Record<string, unknown>, alg: AssertionAlgorithm): Promise<CryptoKey | undefined> {
  let byAlg = imported.get(jwk);
  if (byAlg === undefined) {
    byAlg = new Map();
    imported.set(jwk, byAlg);
  }
  let key = byAlg.get(alg);
  if (key === undefined) {
    const publicJwk: JWK = {};
    for (const member of PUBLIC_MEMBERS) if (typeof jwk[member] === "string") publicJwk[member] = jwk[member];
    key = importJWK(publicJwk, alg).then(
      (result) => (result instanceof CryptoKey && isUsable(result) ? result : undefined),
      () => undefined,
    );
    byAlg.set(alg, key);
  }
  return key;
}

/** A public key jose will verify with: RSA keys of at least 2048 bits (RFC 7518 §3.3). */
function isUsable(key: CryptoKey): boolean {
  if (key.type !== "public") return false;
  const { modulusLength } = key.algorithm as { modulusLength?: number };
  return modulusLength === undefined || modulusLength >= 2048;
}
