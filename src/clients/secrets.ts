/**
 * Client secrets: generated here (256 random bits), stored as SHA-256, compared in constant
 * time. A fast hash is enough because a secret is never chosen by a person.
 *
 * @see RFC 6749 §2.3.1, §10.10
 */
import { decodeBase64url, encodeBase64url, randomBase64url } from "../encoding/base64url";
import type { StoredSecret } from "./record";
import { sha256 } from "../encoding/sha256";

/** A freshly generated secret: the plain value to show once, and what to store. */
export interface NewSecret {
  secret: string;
  stored: StoredSecret;
}

/** Generates a 256-bit secret and its stored form. */
export async function generateSecret(now: number): Promise<NewSecret> {
  const secret = `bsk_${randomBase64url(32)}`;
  const stored: StoredSecret = {
    id: `secret_${randomBase64url(12)}`,
    hash: encodeBase64url(await sha256(secret)),
    created_at: now,
  };
  return { secret, stored };
}

/**
 * Whether `presented` matches any of `secrets`. Every stored hash is compared, in constant time,
 * so the answer's timing reveals neither which secret matched nor how much of one did.
 */
export async function matchesAnySecret(presented: string, secrets: readonly StoredSecret[]): Promise<boolean> {
  const digest = await sha256(presented);
  let matched = false;
  for (const secret of secrets) {
    const stored = decodeDigest(secret.hash);
    if (crypto.subtle.timingSafeEqual(digest, stored)) matched = true;
  }
  return matched;
}

function decodeDigest(hash: string): Uint8Array {
  const bytes = decodeBase64url(hash);
  // timingSafeEqual needs equal lengths; a damaged record simply matches nothing.
  return bytes !== undefined && bytes.length === 32 ? bytes : new Uint8Array(32);
}
