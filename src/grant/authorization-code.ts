/**
 * The authorization code format: `ac_` + base64url(sid ‖ 32 random bytes). The sid (checked by
 * its tag first) routes the code to its grant's object, which keeps only the SHA-256 of the
 * whole code.
 *
 * @see RFC 6749 §4.1.2, §10.10
 */
import { decodeBase64url, encodeBase64url } from "../encoding/base64url";
import { sha256 } from "../encoding/sha256";
import { SID_BYTES } from "./sid";

const PREFIX = "ac_";
const SECRET_BYTES = 32;
const CODE_LENGTH = PREFIX.length + Math.ceil(((SID_BYTES + SECRET_BYTES) * 4) / 3);

/** A new code for the grant `sid`. */
export function newAuthorizationCode(sid: string): string {
  const bytes = new Uint8Array(SID_BYTES + SECRET_BYTES);
  bytes.set(decodeBase64url(sid)!, 0);
  crypto.getRandomValues(bytes.subarray(SID_BYTES));
  return PREFIX + encodeBase64url(bytes);
}

/** The sid a code belongs to; `undefined` for anything that is not a Baton code. */
export function sidOfAuthorizationCode(code: string): string | undefined {
  if (code.length !== CODE_LENGTH || !code.startsWith(PREFIX)) return undefined;
  const bytes = decodeBase64url(code.slice(PREFIX.length));
  if (bytes === undefined || bytes.length !== SID_BYTES + SECRET_BYTES) return undefined;
  return encodeBase64url(bytes.subarray(0, SID_BYTES));
}

/** The stored form of a code (base64url SHA-256). */
export async function hashAuthorizationCode(code: string): Promise<string> {
  return encodeBase64url(await sha256(code));
}
