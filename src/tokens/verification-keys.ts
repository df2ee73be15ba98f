/**
 * What verifying any of Baton's own JWTs shares: the public halves of the configured keys,
 * imported once per isolate and found by `kid`, the header's `alg` bound to that key's own,
 * and the refusal of anything that is not canonical compact JWS.
 *
 * @see RFC 8725 §3.1 (algorithm verification), RFC 7515 §7.1 (compact serialization)
 */
import { errors, importJWK, jwtVerify, type JWSHeaderParameters, type JWTPayload } from "jose";
import { isBase64url } from "../encoding/base64url";
import type { SigningAlgorithm, SigningKeySet } from "./keys";

/** Baton's own tokens are far shorter; anything longer is refused before any parsing. */
export const MAX_TOKEN_LENGTH = 8192;

interface VerificationKey {
  alg: SigningAlgorithm;
  key: CryptoKey;
}

/** Picks the key a token's header names; throws a JOSE error for any other header. */
export type KeyResolver = (header: JWSHeaderParameters) => CryptoKey;

// One lookup per imported key set: the public keys are imported once per isolate, not per request.
const lookups = new WeakMap<SigningKeySet, Promise<ReadonlyMap<string, VerificationKey>>>();

/**
 * The resolver for tokens signed by one of `keys`: the header's `kid` names a configured key,
 * and its `alg` must be that key's own (RFC 8725 §3.1), so no header can pick the algorithm.
 */
export async function keyResolver(keys: SigningKeySet): Promise<KeyResolver> {
  const byKid = await verificationKeys(keys);
  return (header) => {
    const entry = header.kid === undefined ? undefined : byKid.get(header.kid);
    if (entry === undefined || entry.alg !== header.alg) throw new errors.JWKSNoMatchingKey();
    return entry.key;
  };
}

/** The algorithms of the configured keys, each once: all a verifier may accept. */
export function algorithmsOf(keys: SigningKeySet): SigningAlgorithm[] {
  return [...new Set(keys.all.map((key) => key.alg))];
}

/**
 * Whether `token` is at most {@link MAX_TOKEN_LENGTH} characters of three canonical base64url
 * parts. jose decodes loosely, so without this one token could be spelled several ways (stray
 * low bits in a part's last character) and still verify.
 */
export function isCompactJws(token: string): boolean {
  if (token.length > MAX_TOKEN_LENGTH) return false;
  const parts = token.split(".");
  return parts.length === 3 && parts.every(isBase64url);
}

function verificationKeys(keys: SigningKeySet): Promise<ReadonlyMap<string, VerificationKey>> {
  let lookup = lookups.get(keys);
  if (lookup === undefined) {
    const imported = importPublicKeys(keys);
    lookups.set(keys, imported);
    // A failed import is not kept: the next request tries again.
    imported.catch(() => {
      if (lookups.get(keys) === imported) lookups.delete(keys);
    });
    lookup = imported;
  }
  return lookup;
}

async function importPublicKeys(keys: SigningKeySet): Promise<ReadonlyMap<string, VerificationKey>> {
  const entries = await Promise.all(
    keys.all.map(
      async (key) => [key.kid, { alg: key.alg, key: (await importJWK(key.publicJwk, key.alg)) as CryptoKey }] as const,
    ),
  );
  return new Map(entries);
}

/**
 * Verifies one of Baton's own JWTs: canonical compact JWS, signed by a configured key under
 * that key's algorithm, of header type `typ`, issued by `issuer`, holding `requiredClaims`, and
 * unexpired unless `acceptExpired` (which, comparing as of the epoch, skips the lifetime only).
 * `undefined` for anything else.
 */
export async function verifyOwnJwt(
  token: string,
  keys: SigningKeySet,
  expected: { typ: string; issuer: string; requiredClaims: string[]; acceptExpired: boolean },
): Promise<JWTPayload | undefined> {
  if (!isCompactJws(token)) return undefined;
  const resolve = await keyResolver(keys);
  try {
    const { payload } = await jwtVerify(token, resolve, {
      typ: expected.typ,
      issuer: expected.issuer,
      algorithms: algorithmsOf(keys),
      requiredClaims: expected.requiredClaims,
      ...(expected.acceptExpired && { currentDate: new Date(0) }),
    });
    return payload;
  } catch (error) {
    if (error instanceof errors.JOSEError) return undefined;
    throw error;
  }
}
