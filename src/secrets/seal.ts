/**
 * Sealed values: JSON that Baton hands out (a pending authorization request, a form token) and
 * later reads back, encrypted and authenticated under the server secret, so that nothing needs
 * to be stored until someone authenticated acts on it. The purpose is bound in as additional
 * data: a value sealed for one purpose never opens as another.
 *
 * @see NIST SP 800-38D (AES-GCM)
 */
import { decodeBase64url, encodeBase64url } from "../encoding/base64url";
import type { ServerKeys } from "./server-keys";

/** What a sealed value is for. */
export type SealPurpose = "authorization request" | "dev login form";

const IV_BYTES = 12;
const TAG_BYTES = 16;
const encoder = new TextEncoder();

/** Seals `value` (JSON) under the first secret; the result is base64url. */
export async function seal(keys: ServerKeys, purpose: SealPurpose, value: unknown): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const plain = encoder.encode(JSON.stringify(value));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: encoder.encode(purpose) },
    keys[0].seal,
    plain,
  );
  const bytes = new Uint8Array(IV_BYTES + sealed.byteLength);
  bytes.set(iv, 0);
  bytes.set(new Uint8Array(sealed), IV_BYTES);
  return encodeBase64url(bytes);
}

/** The longest sealed text {@link unseal} opens; whoever seals must not make a longer one. */
export const MAX_SEALED_LENGTH = 16_384;

/**
 * Opens a value sealed by {@link seal} under any configured secret; `undefined` for anything
 * else, whatever its length or alphabet.
 */
export async function unseal(keys: ServerKeys, purpose: SealPurpose, text: string): Promise<unknown> {
  // The longest value Baton seals is a few KiB; anything far longer is not one of them.
  if (text.length > MAX_SEALED_LENGTH) return undefined;
  const bytes = decodeBase64url(text);
  if (bytes === undefined || bytes.length < IV_BYTES + TAG_BYTES) return undefined;
  for (const key of keys) {
    try {
      const plain = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: bytes.subarray(0, IV_BYTES), additionalData: encoder.encode(purpose) },
        key.seal,
        bytes.subarray(IV_BYTES),
      );
      return JSON.parse(new TextDecoder().decode(plain));
    } catch {
      // Not sealed under this secret: try the next.
    }
  }
  return undefined;
}
