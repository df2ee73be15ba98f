/**
 * base64url without padding, on the platform's `btoa`/`atob`.
 *
 * @see RFC 4648 §5
 */

/** Encodes bytes as unpadded base64url. */
export function encodeBase64url(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Decodes unpadded base64url; `undefined` for anything that is not canonical base64url, so that
 * a caller can treat hostile input as "unknown" without a try/catch.
 */
export function decodeBase64url(text: string): Uint8Array | undefined {
  if (!BASE64URL.test(text) || text.length % 4 === 1) return undefined;
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  // Non-canonical encodings (stray low bits in the last character) would let one token have
  // several spellings; refuse them.
  return encodeBase64url(bytes) === text ? bytes : undefined;
}

/** `n` bytes from the platform's CSPRNG, base64url-encoded. */
export function randomBase64url(n: number): string {
  return encodeBase64url(crypto.getRandomValues(new Uint8Array(n)));
}
