/**
 * Keys derived from `TOKEN_SECRETS`, imported once per isolate. Each secret yields one key per
 * purpose (HKDF with a purpose label, so no two purposes ever share a key); the first secret's
 * keys make everything new, and every secret's keys are tried when checking, so a secret can be
 * rotated without signing anyone out.
 *
 * @see RFC 5869 (HKDF), RFC 2104 (HMAC), NIST SP 800-38D (AES-GCM)
 */
import { requireTokenSecrets, type Config } from "../config";
import { decodeBase64url } from "../encoding/base64url";

/** One secret's keys. */
export interface ServerKey {
  /** HMAC-SHA256: the tag that authenticates a session id. */
  sidTag: CryptoKey;
  /** HMAC-SHA256: mixed with a family's own key to key its refresh-token MACs. */
  refreshMac: CryptoKey;
  /** AES-256-GCM: sealing values the Worker hands out and reads back. */
  seal: CryptoKey;
  /** HMAC-SHA256: DPoP nonces (RFC 9449 §8), made from the time alone. */
  dpopNonce: CryptoKey;
}

/** The keys of every configured secret, the one that makes new values first. */
export type ServerKeys = readonly [ServerKey, ...ServerKey[]];

// Keyed by the secrets' text, not the array: the Worker and a grant's object each read their
// own configuration, and should share one import when they share an isolate.
let cached: { raw: string; keys: Promise<ServerKeys> } | undefined;

/**
 * The keys of `TOKEN_SECRETS`, imported once per isolate.
 *
 * @throws ConfigError when `TOKEN_SECRETS` is not set.
 */
export function serverKeys(config: Pick<Config, "tokenSecrets">): Promise<ServerKeys> {
  const secrets = requireTokenSecrets(config);
  const raw = secrets.join(" ");
  if (cached?.raw !== raw) cached = { raw, keys: importAll(secrets) };
  return cached.keys;
}

async function importAll(secrets: readonly string[]): Promise<ServerKeys> {
  const keys = await Promise.all(secrets.map((secret) => importOne(decodeBase64url(secret)!)));
  return keys as unknown as ServerKeys;
}

const HMAC = { name: "HMAC", hash: "SHA-256", length: 256 } as const;
const AES = { name: "AES-GCM", length: 256 } as const;

async function importOne(secret: Uint8Array): Promise<ServerKey> {
  const material = await crypto.subtle.importKey("raw", secret, "HKDF", false, ["deriveKey"]);
  const derive = (label: string, algorithm: Parameters<SubtleCrypto["deriveKey"]>[2], usages: string[]) =>
    crypto.subtle.deriveKey(
      { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: new TextEncoder().encode(`baton ${label} v1`) },
      material,
      algorithm,
      false,
      usages,
    );
  const [sidTag, refreshMac, seal, dpopNonce] = await Promise.all([
    derive("sid tag", HMAC, ["sign"]),
    derive("refresh mac", HMAC, ["sign"]),
    derive("seal", AES, ["encrypt", "decrypt"]),
    derive("dpop nonce", HMAC, ["sign"]),
  ]);
  return { sidTag, refreshMac, seal, dpopNonce };
}
