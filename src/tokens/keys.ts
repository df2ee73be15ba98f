/**
 * Signing keys from `SIGNING_KEYS`: parsed, checked and imported as WebCrypto keys once per
 * isolate; the first key signs, all are published.
 *
 * @see RFC 7517 §5 (JWK Set), OIDC Core §10.1 (`kid` with several keys)
 */
import { importJWK, type JWK } from "jose";
import { ConfigError } from "../config";

/** JWS algorithms Baton signs with. */
export type SigningAlgorithm = "ES256" | "EdDSA" | "RS256";

/** One imported private key and its public half. */
export interface SigningKey {
  kid: string;
  alg: SigningAlgorithm;
  privateKey: CryptoKey;
  /** Public members only, with `kid`, `alg` and `use: "sig"`. */
  publicJwk: JWK;
}

/** The imported key set: `active` signs, `all` are published. */
export interface SigningKeySet {
  active: SigningKey;
  all: SigningKey[];
}

/**
 * The key that signs a client's ID tokens, and its logout tokens with them: the first of the
 * algorithm it registered (`id_token_signed_response_alg`), else the active key.
 *
 * @see OIDC Registration §2, Back-Channel Logout 1.0 §2.4 (the ID tokens' keys)
 */
export function idTokenKey(keys: SigningKeySet, alg: SigningAlgorithm | undefined): SigningKey {
  return keys.all.find((candidate) => candidate.alg === alg) ?? keys.active;
}

let cached: { raw: string; keys: Promise<SigningKeySet> } | undefined;

/**
 * Imports `raw` (a private JWK Set) once per isolate; later calls with the same text reuse the
 * imported keys.
 *
 * @throws ConfigError when the set is missing or any key is unusable.
 */
export function loadSigningKeys(raw: string | undefined): Promise<SigningKeySet> {
  if (raw === undefined) return Promise.reject(new ConfigError("SIGNING_KEYS is not set"));
  if (cached?.raw !== raw) {
    const keys = importKeySet(raw);
    cached = { raw, keys };
    // A failed import is not cached, so a corrected secret takes effect without a restart.
    keys.catch(() => {
      if (cached?.keys === keys) cached = undefined;
    });
  }
  return cached.keys;
}

async function importKeySet(raw: string): Promise<SigningKeySet> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError("SIGNING_KEYS is not JSON");
  }
  const list = (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(list) || list.length === 0) {
    throw new ConfigError('SIGNING_KEYS must be a JWK Set: {"keys": [...]} with at least one key');
  }
  const all: SigningKey[] = [];
  const kids = new Set<string>();
  for (const [index, entry] of list.entries()) {
    const key = await importSigningKey(entry as JWK, index);
    if (kids.has(key.kid)) throw new ConfigError(`SIGNING_KEYS has two keys with the same kid`);
    kids.add(key.kid);
    all.push(key);
  }
  return { active: all[0]!, all };
}

async function importSigningKey(jwk: JWK, index: number): Promise<SigningKey> {
  const where = `SIGNING_KEYS key ${index}`;
  if (typeof jwk !== "object" || jwk === null) throw new ConfigError(`${where} is not a JWK`);
  if (typeof jwk.kid !== "string" || jwk.kid === "") throw new ConfigError(`${where} has no kid`);
  if (typeof jwk.d !== "string") throw new ConfigError(`${where} is not a private key`);
  const alg = algorithmOf(jwk);
  if (alg === undefined) {
    throw new ConfigError(`${where} is not an ES256 (EC P-256), EdDSA (OKP Ed25519) or RS256 (RSA) key`);
  }
  let privateKey: CryptoKey;
  try {
    privateKey = (await importJWK({ ...jwk, alg }, alg)) as CryptoKey;
  } catch {
    throw new ConfigError(`${where} could not be imported`);
  }
  // jose will not sign with a shorter RSA key (RFC 7518 §3.3): refused here, it is a clear
  // configuration error instead of a failure at every token.
  if (alg === "RS256" && rsaModulusBits(privateKey) < 2048) {
    throw new ConfigError(`${where} is an RSA key shorter than 2048 bits`);
  }
  return { kid: jwk.kid, alg, privateKey, publicJwk: publicPart(jwk, alg) };
}

function rsaModulusBits(key: CryptoKey): number {
  const algorithm = key.algorithm as { modulusLength?: number };
  return algorithm.modulusLength ?? 0;
}

function algorithmOf(jwk: JWK): SigningAlgorithm | undefined {
  const inferred =
    jwk.kty === "EC" && jwk.crv === "P-256"
      ? "ES256"
      : jwk.kty === "OKP" && jwk.crv === "Ed25519"
        ? "EdDSA"
        : jwk.kty === "RSA"
          ? "RS256"
          : undefined;
  if (inferred === undefined) return undefined;
  // An `alg` that disagrees with the key type is a mistake to surface ("Ed25519" is the newer
  // name of the same algorithm).
  if (jwk.alg !== undefined && jwk.alg !== inferred && !(inferred === "EdDSA" && jwk.alg === "Ed25519")) {
    return undefined;
  }
  return inferred;
}

// Members of a public JWK per key type (RFC 7518 §6, RFC 8037 §2); everything else is dropped.
const PUBLIC_MEMBERS: Record<SigningAlgorithm, readonly (keyof JWK)[]> = {
  ES256: ["kty", "crv", "x", "y"],
  EdDSA: ["kty", "crv", "x"],
  RS256: ["kty", "n", "e"],
};

function publicPart(jwk: JWK, alg: SigningAlgorithm): JWK {
  const publicJwk: JWK = {};
  for (const member of PUBLIC_MEMBERS[alg]) publicJwk[member] = jwk[member] as never;
  return { ...publicJwk, kid: jwk.kid, alg, use: "sig" };
}
