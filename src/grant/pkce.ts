/**
 * PKCE with S256 only (the plain method is not offered).
 *
 * @see RFC 7636 §4.1, §4.2, §4.6; RFC 9700 §2.1.1
 */
import { encodeBase64url } from "../encoding/base64url";
import { sha256 } from "../encoding/sha256";

// code_verifier = 43*128unreserved
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
// An S256 challenge is the base64url of 32 bytes: 43 characters.
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/** Whether `challenge` has the shape of an S256 code challenge. */
export function isS256Challenge(challenge: string): boolean {
  return CHALLENGE.test(challenge);
}

/** Whether `verifier` is well-formed and hashes to `challenge`. */
export async function verifyS256(verifier: string, challenge: string): Promise<boolean> {
  if (!VERIFIER.test(verifier)) return false;
  const computed = new TextEncoder().encode(encodeBase64url(await sha256(verifier)));
  const expected = new TextEncoder().encode(challenge);
  return computed.length === expected.length && crypto.subtle.timingSafeEqual(computed, expected);
}
