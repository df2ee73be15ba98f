/**
 * The refresh token format: `rt_` + base64url(sid ‖ generation ‖ MAC), where the MAC is
 * HMAC-SHA256 under a key made from the family's own key and the server secret together, so
 * that reading a family's storage alone cannot mint its tokens. The Worker checks the sid's tag
 * and routes on it without any lookup; the grant's object keeps only the family key and the
 * current generation, and a token with a valid MAC and an older generation is proof of reuse for
 * every past generation with constant storage. A bad MAC proves nothing and revokes nothing, so
 * knowing a sid does not let anyone end a session. The `rt_` prefix lets secret scanners
 * recognise a leaked token.
 *
 * @see RFC 9700 §4.14.2 (refresh token rotation), RFC 6749 §10.10 (token entropy)
 */
import { decodeBase64url, encodeBase64url } from "../encoding/base64url";
import type { ServerKeys } from "../secrets/server-keys";
import { SID_BYTES } from "./sid";

const PREFIX = "rt_";
const GENERATION_BYTES = 4;
const MAC_BYTES = 32;
const PAYLOAD_BYTES = SID_BYTES + GENERATION_BYTES;
// base64url of 68 bytes is 91 characters.
const TOKEN_LENGTH = PREFIX.length + Math.ceil(((PAYLOAD_BYTES + MAC_BYTES) * 4) / 3);

/** A refresh token taken apart; its MAC is not yet verified. */
export interface ParsedRefreshToken {
  sid: string;
  generation: number;
  /** The bytes the MAC covers. */
  payload: Uint8Array;
  mac: Uint8Array;
}

/**
 * Takes a presented token apart without any I/O; `undefined` for anything that is not a Baton
 * refresh token, whatever its length or alphabet.
 */
export function parseRefreshToken(token: string): ParsedRefreshToken | undefined {
  if (token.length !== TOKEN_LENGTH || !token.startsWith(PREFIX)) return undefined;
  const bytes = decodeBase64url(token.slice(PREFIX.length));
  if (bytes === undefined || bytes.length !== PAYLOAD_BYTES + MAC_BYTES) return undefined;
  const payload = bytes.subarray(0, PAYLOAD_BYTES);
  return {
    sid: encodeBase64url(payload.subarray(0, SID_BYTES)),
    generation: new DataView(payload.buffer, payload.byteOffset + SID_BYTES, GENERATION_BYTES).getUint32(0),
    payload,
    mac: bytes.subarray(PAYLOAD_BYTES),
  };
}

/**
 * The MAC keys of a family (32 random bytes of its own): one per server secret, each
 * HMAC(secret's refresh key, family key), the first secret's first. The first mints; all verify,
 * so rotating `TOKEN_SECRETS` signs nobody out.
 */
export async function familyMacKeys(serverKeys: ServerKeys, familyKey: Uint8Array): Promise<CryptoKey[]> {
  return Promise.all(
    serverKeys.map(async (server) => {
      const raw = await crypto.subtle.sign("HMAC", server.refreshMac, familyKey);
      return crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    }),
  );
}

/** Mints the token of `generation` for the family `sid`. */
export async function mintRefreshToken(key: CryptoKey, sid: string, generation: number): Promise<string> {
  const payload = new Uint8Array(PAYLOAD_BYTES);
  payload.set(decodeBase64url(sid)!, 0);
  new DataView(payload.buffer).setUint32(SID_BYTES, generation);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, payload));
  const bytes = new Uint8Array(PAYLOAD_BYTES + MAC_BYTES);
  bytes.set(payload, 0);
  bytes.set(mac, PAYLOAD_BYTES);
  return PREFIX + encodeBase64url(bytes);
}

/**
 * Whether the token's MAC is the family's under any of `keys` (WebCrypto's verify compares in
 * constant time; which secret matched is no secret).
 */
export async function verifyRefreshToken(keys: readonly CryptoKey[], token: ParsedRefreshToken): Promise<boolean> {
  for (const key of keys) {
    if (await crypto.subtle.verify("HMAC", key, token.mac, token.payload)) return true;
  }
  return false;
}
