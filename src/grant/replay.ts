/**
 * The retry window's stored answer: the exact response body of a rotation, encrypted under a key
 * derived from the token that was presented, so that only the holder of that token can read it
 * back and the stored state never holds a usable token in plain.
 *
 * @see RFC 5869 (HKDF), NIST SP 800-38D (AES-GCM)
 */

/** An encrypted response body. */
export interface SealedAnswer {
  iv: Uint8Array;
  ciphertext: Uint8Array;
}

const INFO = new TextEncoder().encode("baton refresh replay v1");

async function answerKey(tokenMac: Uint8Array, sid: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey("raw", tokenMac, "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: new TextEncoder().encode(sid), info: INFO },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

/** Encrypts `body` for the holder of the token whose MAC is `tokenMac`. */
export async function sealAnswer(tokenMac: Uint8Array, sid: string, body: string): Promise<SealedAnswer> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const key = await answerKey(tokenMac, sid);
  const ciphertext = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, new TextEncoder().encode(body));
  return { iv, ciphertext: new Uint8Array(ciphertext) };
}

/** Decrypts a sealed answer; `undefined` if it does not open with this token. */
export async function openAnswer(tokenMac: Uint8Array, sid: string, sealed: SealedAnswer): Promise<string | undefined> {
  try {
    const key = await answerKey(tokenMac, sid);
    const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: sealed.iv }, key, sealed.ciphertext);
    return new TextDecoder().decode(plain);
  } catch {
    return undefined;
  }
}
