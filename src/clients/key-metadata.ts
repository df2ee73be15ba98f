/**
 * The key material of a `private_key_jwt` client: its public keys inline (`jwks`) or the URL it
 * publishes them at (`jwks_uri`), exactly one of the two, and neither for any other method.
 *
 * @see RFC 7591 §2 (`jwks`, `jwks_uri`), RFC 7517 §4–5, RFC 7518 §6 (key members)
 */
import { decodeBase64url } from "../encoding/base64url";
import { OAuthError } from "../errors";
import type { ClientMetadata, PublicJwkSet, TokenEndpointAuthMethod } from "./record";

/** Where a `jwks_uri` may point. */
export interface KeyUrlRules {
  /** `CLIENT_METADATA_ALLOW_LOOPBACK`: `http://127.0.0.1:PORT/...` too, for local tests. */
  allowLoopback: boolean;
}

/** The most keys one client may list inline: enough for a rotation or two. */
export const MAX_CLIENT_KEYS = 10;
const MAX_URL_LENGTH = 2000;
// The longest member value of a key Baton verifies with: the modulus of an 8192-bit RSA key.
const MAX_MEMBER_LENGTH = 1400;
// Members that only a private or symmetric key has (RFC 7518 §6.2.2, §6.3.2, §6.4.1).
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];
// What is kept of each key: its public members and the ones that restrict its use.
const KEPT_MEMBERS = ["kty", "crv", "x", "y", "n", "e", "kid", "alg", "use", "key_ops"];
// The key types Baton verifies with: their key material, curve, and the algorithms they serve.
// A curve's coordinates have one length (RFC 7518 §6.2.1.2, RFC 8037 §2): 32 bytes for both.
const KEY_TYPES: Record<
  string,
  { material: string[]; crv: string | undefined; coordinateBytes?: number; algorithms: readonly string[] }
> = {
  RSA: { material: ["n", "e"], crv: undefined, algorithms: ["RS256", "PS256"] },
  EC: { material: ["x", "y"], crv: "P-256", coordinateBytes: 32, algorithms: ["ES256"] },
  OKP: { material: ["x"], crv: "Ed25519", coordinateBytes: 32, algorithms: ["EdDSA"] },
};
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const MIN_RSA_BITS = 2048;

function invalid(description: string): never {
  throw new OAuthError("invalid_client_metadata", description);
}

/**
 * Reads `jwks` and `jwks_uri` for a client of `method`: a `private_key_jwt` client must have
 * exactly one of them, any other client neither. Inline keys must be public keys Baton can
 * verify with (RSA, EC P-256, OKP Ed25519); only their public members are kept.
 *
 * @throws OAuthError 400 `invalid_client_metadata`.
 */
export function readKeyMaterial(
  input: Record<string, unknown>,
  method: TokenEndpointAuthMethod,
  rules: KeyUrlRules,
): Pick<ClientMetadata, "jwks" | "jwks_uri"> {
  const jwks = input.jwks ?? undefined;
  const jwksUri = input.jwks_uri ?? undefined;
  if (method !== "private_key_jwt") {
    if (jwks !== undefined || jwksUri !== undefined) invalid("jwks and jwks_uri are only for private_key_jwt clients.");
    return {};
  }
  if ((jwks === undefined) === (jwksUri === undefined)) {
    invalid("A private_key_jwt client needs exactly one of jwks and jwks_uri.");
  }
  if (jwksUri !== undefined) {
    if (typeof jwksUri !== "string" || keyUrl(jwksUri, rules) === undefined) {
      invalid(
        rules.allowLoopback
          ? "jwks_uri must be an https URL (or http://127.0.0.1) without a fragment or userinfo."
          : "jwks_uri must be an https URL without a fragment or userinfo.",
      );
    }
    return { jwks_uri: jwksUri };
  }
  return { jwks: readJwks(jwks) };
}

/**
 * The URL a `jwks_uri` names, when Baton may fetch it: `https`, or `http` on 127.0.0.1 when
 * {@link KeyUrlRules.allowLoopback}; never with userinfo or a fragment.
 */
export function keyUrl(value: string, rules: KeyUrlRules): URL | undefined {
  if (value.length > MAX_URL_LENGTH || !URL.canParse(value)) return undefined;
  const url = new URL(value);
  if (url.username !== "" || url.password !== "" || url.hash !== "" || value.includes("#")) return undefined;
  if (url.protocol === "https:") return url;
  return url.protocol === "http:" && rules.allowLoopback && url.hostname === "127.0.0.1" ? url : undefined;
}

/**
 * The public keys of a fetched JWK Set that Baton can use; keys of other types, private keys and
 * malformed entries are skipped (RFC 7517 §5: ignore what is not understood).
 */
export function usableKeys(set: Record<string, unknown>): Record<string, unknown>[] {
  const { keys } = set;
  if (!Array.isArray(keys)) return [];
  return keys.flatMap((entry) => {
    const checked = checkJwk(entry);
    return checked.ok ? [checked.jwk] : [];
  });
}

function readJwks(value: unknown): PublicJwkSet {
  const keys = (value as { keys?: unknown } | null)?.keys;
  if (typeof value !== "object" || Array.isArray(value) || !Array.isArray(keys) || keys.length === 0) {
    invalid("jwks must be a JWK Set (an object whose keys member lists at least one key).");
  }
  if (keys.length > MAX_CLIENT_KEYS) invalid(`jwks may hold at most ${MAX_CLIENT_KEYS} keys.`);
  const kept = keys.map((entry) => {
    const checked = checkJwk(entry);
    if (checked.ok) return checked.jwk;
    if (checked.reason === "private") invalid("jwks must hold public keys only: no d, p, q, dp, dq, qi, oth or k.");
    invalid("jwks may hold only RSA, EC P-256 and Ed25519 signing keys, each with an optional kid and alg.");
  });
  const kids = kept.flatMap((jwk) => (jwk.kid === undefined ? [] : [jwk.kid]));
  if (new Set(kids).size !== kids.length) invalid("Two keys in jwks have the same kid.");
  return { keys: kept };
}

type CheckedJwk = { ok: true; jwk: Record<string, unknown> } | { ok: false; reason: "private" | "unusable" };

function checkJwk(value: unknown): CheckedJwk {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { ok: false, reason: "unusable" };
  const jwk = value as Record<string, unknown>;
  if (PRIVATE_MEMBERS.some((member) => member in jwk)) return { ok: false, reason: "private" };
  return isUsablePublicKey(jwk) ? { ok: true, jwk: keptMembers(jwk) } : { ok: false, reason: "unusable" };
}

function isUsablePublicKey(jwk: Record<string, unknown>): boolean {
  const kty = typeof jwk.kty === "string" && Object.hasOwn(KEY_TYPES, jwk.kty) ? KEY_TYPES[jwk.kty]! : undefined;
  if (kty === undefined || !kty.material.every((member) => isBase64url(jwk[member]))) return false;
  if (jwk.crv !== kty.crv) return false;
  // A coordinate of another length is no point of the curve: refused here, where its owner
  // learns why, not at every assertion with a bare 401.
  const bytes = kty.coordinateBytes;
  if (
    bytes !== undefined &&
    !kty.material.every((member) => decodeBase64url(jwk[member] as string)?.length === bytes)
  ) {
    return false;
  }
  // Verification takes no RSA key under 2048 bits (RFC 7518 §3.3): a smaller one is refused here,
  // where its owner learns why, not at every assertion with a bare 401.
  if (jwk.kty === "RSA" && modulusBits(jwk.n as string) < MIN_RSA_BITS) return false;
  if (jwk.alg !== undefined && !kty.algorithms.includes(jwk.alg as string)) return false;
  if (jwk.use !== undefined && jwk.use !== "sig") return false;
  if (
    jwk.key_ops !== undefined &&
    !(Array.isArray(jwk.key_ops) && jwk.key_ops.length === 1 && jwk.key_ops[0] === "verify")
  ) {
    return false;
  }
  return jwk.kid === undefined || (typeof jwk.kid === "string" && jwk.kid.length > 0 && jwk.kid.length <= 200);
}

/** The bit length of a base64url big-endian modulus, leading zero bytes aside. */
function modulusBits(n: string): number {
  const bytes = decodeBase64url(n);
  if (bytes === undefined) return 0;
  const first = bytes.findIndex((byte) => byte !== 0);
  if (first < 0) return 0;
  return (bytes.length - first - 1) * 8 + (32 - Math.clz32(bytes[first]!));
}

function keptMembers(jwk: Record<string, unknown>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const member of KEPT_MEMBERS) if (jwk[member] !== undefined) kept[member] = jwk[member];
  return kept;
}

function isBase64url(value: unknown): boolean {
  return typeof value === "string" && value.length <= MAX_MEMBER_LENGTH && BASE64URL.test(value);
}
