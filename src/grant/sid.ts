/**
 * Session ids (`sid`): the name of a grant's Durable Object, carried inside its refresh tokens,
 * codes and access tokens. A sid is 16 random bytes and a 16-byte HMAC tag under the server
 * secret, so the Worker refuses a made-up one before any object is touched: a request nobody
 * authenticated cannot create, or even wake, a grant.
 *
 * @see RFC 6749 §10.10 (guessing), RFC 2104 (HMAC)
 */
import { decodeBase64url, encodeBase64url } from "../encoding/base64url";
import type { ServerKeys } from "../secrets/server-keys";

const RANDOM_BYTES = 16;
const TAG_BYTES = 16;
/** The length of a sid in bytes. */
export const SID_BYTES = RANDOM_BYTES + TAG_BYTES;

/** Whether `sid` has the shape of a sid (32 bytes, canonical base64url); its tag is not checked. */
export function isSidShaped(sid: string): boolean {
  return decodeBase64url(sid)?.length === SID_BYTES;
}

/** A new sid, tagged with the first secret. */
export async function newSid(keys: ServerKeys): Promise<string> {
  const bytes = new Uint8Array(SID_BYTES);
  crypto.getRandomValues(bytes.subarray(0, RANDOM_BYTES));
  bytes.set(await tag(keys[0].sidTag, bytes.subarray(0, RANDOM_BYTES)), RANDOM_BYTES);
  return encodeBase64url(bytes);
}

/** Whether `sid` is one that Baton made, under any configured secret (compared in constant time). */
export async function verifySid(keys: ServerKeys, sid: string): Promise<boolean> {
  const bytes = decodeBase64url(sid);
  if (bytes?.length !== SID_BYTES) return false;
  const random = bytes.subarray(0, RANDOM_BYTES);
  const presented = bytes.subarray(RANDOM_BYTES);
  let valid = false;
  for (const key of keys) {
    if (crypto.subtle.timingSafeEqual(await tag(key.sidTag, random), presented)) valid = true;
  }
  return valid;
}

async function tag(key: CryptoKey, random: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, random)).subarray(0, TAG_BYTES);
}
