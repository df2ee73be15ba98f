/**
 * DPoP nonces (RFC 9449 §8) without storage: a nonce is a time step and its HMAC under the
 * server secret, so any isolate can check one. A nonce is good for the step it was made in and
 * the next (5 to 10 minutes), which bounds how long a captured proof could ever be replayed.
 */
import { decodeBase64url, encodeBase64url } from "../encoding/base64url";
import type { ServerKeys } from "../secrets/server-keys";

const STEP_SECONDS = 300;
const TAG_BYTES = 16;

/** The nonce of the current step. */
export async function currentNonce(keys: ServerKeys, now: number): Promise<string> {
  return nonceOf(keys[0].dpopNonce, Math.floor(now / STEP_SECONDS));
}

/** Whether `nonce` was made by this server for the current step or the one before. */
export async function isFreshNonce(keys: ServerKeys, nonce: string, now: number): Promise<boolean> {
  const bytes = decodeBase64url(nonce);
  if (bytes?.length !== 4 + TAG_BYTES) return false;
  const step = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0);
  const current = Math.floor(now / STEP_SECONDS);
  if (step !== current && step !== current - 1) return false;
  for (const key of keys) if ((await nonceOf(key.dpopNonce, step)) === nonce) return true;
  return false;
}

async function nonceOf(key: CryptoKey, step: number): Promise<string> {
  const stepBytes = new Uint8Array(4);
  new DataView(stepBytes.buffer).setUint32(0, step);
  const tag = new Uint8Array(await crypto.subtle.sign("HMAC", key, stepBytes)).subarray(0, TAG_BYTES);
  const bytes = new Uint8Array(4 + TAG_BYTES);
  bytes.set(stepBytes, 0);
  bytes.set(tag, 4);
  return encodeBase64url(bytes);
}
