/**
 * Verifying a Baton access token: signature by a configured key, `typ: "at+jwt"`, the issuer,
 * and the lifetime. Whether the grant behind it is still live is the caller's question.
 *
 * @see RFC 9068 §4 (validating JWT access tokens), RFC 8725 §3.1 (algorithm verification)
 */
import { errors, importJWK, jwtVerify, type JWSHeaderParameters, type JWTPayload } from "jose";
import { decodeBase64url } from "../encoding/base64url";
import type { SigningAlgorithm, SigningKeySet } from "./keys";

/** The claims of a verified access token (RFC 9068 §2.2; `sid` and `org_id` where they exist). */
export interface VerifiedAccessToken extends JWTPayload {
  iss: string;
  sub: string;
  aud: string | string[];
  client_id: string;
  /** Space-separated; absent when nothing was granted. */
  scope?: string;
  jti: string;
  iat: number;
  exp: number;
  sid?: string;
  org_id?: string;
  /** The actor of an exchanged token (RFC 8693 §4.1): the client that exchanged it. */
  act?: Record<string, unknown>;
  /** The DPoP key the token is bound to (RFC 9449 §6.1). */
  cnf?: { jkt: string };
}

interface VerificationKey {
  alg: SigningAlgorithm;
  key: CryptoKey;
}

// Baton's own tokens are far shorter; anything longer is refused before any parsing.
const MAX_TOKEN_LENGTH = 8192;
// RFC 9068 §2.2: every access token carries these.
const REQUIRED_CLAIMS = ["iss", "sub", "aud", "client_id", "iat", "exp", "jti"];

// One lookup per imported key set: the public keys are imported once per isolate, not per request.
const lookups = new WeakMap<SigningKeySet, Promise<ReadonlyMap<string, VerificationKey>>>();

/**
 * Verifies `token` as an access token that this Baton issued as `issuer` with one of `keys`.
 * Returns its claims, or `undefined` for anything that is not such a token or has expired.
 * `acceptExpired` skips the lifetime check only: revoking with an expired token still ends its
 * grant (a client signing out may hold nothing fresher), while signature and issuer still prove
 * the token is Baton's.
 */
export async function verifyAccessToken(
  token: string,
  keys: SigningKeySet,
  issuer: string,
  { acceptExpired = false }: { acceptExpired?: boolean } = {},
): Promise<VerifiedAccessToken | undefined> {
  if (token.length > MAX_TOKEN_LENGTH || !isCanonicalCompactJws(token)) return undefined;
  const byKid = await verificationKeys(keys);
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, (header) => keyFor(byKid, header), {
      typ: "at+jwt",
      issuer,
      algorithms: [...new Set(keys.all.map((key) => key.alg))],
      requiredClaims: REQUIRED_CLAIMS,
      // Compared as of the epoch, every `exp` is still in the future.
      ...(acceptExpired && { currentDate: new Date(0) }),
    }));
  } catch (error) {
    if (error instanceof errors.JOSEError) return undefined;
    throw error;
  }
  return hasAccessTokenShape(payload) ? payload : undefined;
}

/**
 * Whether a verified access token stands for `session`: the same user, and the session's client,
 * unless the token was exchanged (`act`), when it belongs to the client that exchanged it.
 */
export function ownsSession(claims: VerifiedAccessToken, session: { clientId: string; subject: string }): boolean {
  return session.subject === claims.sub && (claims.act !== undefined || session.clientId === claims.client_id);
}

/** The key a token's header names; the header's `alg` must be that key's own (RFC 8725 §3.1). */
function keyFor(byKid: ReadonlyMap<string, VerificationKey>, header: JWSHeaderParameters): CryptoKey {
  const entry = header.kid === undefined ? undefined : byKid.get(header.kid);
  if (entry === undefined || entry.alg !== header.alg) throw new errors.JWKSNoMatchingKey();
  return entry.key;
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

function hasAccessTokenShape(payload: JWTPayload): payload is VerifiedAccessToken {
  const { aud } = payload;
  return (
    typeof payload.sub === "string" &&
    typeof payload.client_id === "string" &&
    typeof payload.jti === "string" &&
    (typeof aud === "string" || Array.isArray(aud)) &&
    optionalString(payload.scope) &&
    optionalString(payload.sid) &&
    optionalString(payload.org_id) &&
    (payload.act === undefined ||
      (typeof payload.act === "object" && payload.act !== null && !Array.isArray(payload.act))) &&
    (payload.cnf === undefined || typeof (payload.cnf as { jkt?: unknown } | null)?.jkt === "string")
  );
}

function optionalString(value: unknown): boolean {
  return value === undefined || typeof value === "string";
}

/**
 * Whether every part is canonical base64url. jose decodes loosely, so without this one token
 * could be spelled several ways (stray low bits in a part's last character) and still verify.
 */
function isCanonicalCompactJws(token: string): boolean {
  const parts = token.split(".");
  return parts.length === 3 && parts.every((part) => decodeBase64url(part) !== undefined);
}
