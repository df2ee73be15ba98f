/**
 * The two codes of a device authorization: the `device_code` the device polls with (`dc_` +
 * base64url(sid ‖ 32 random bytes), routed to its grant like an authorization code and stored
 * only as a hash), and the `user_code` a person types on another screen (8 letters from an
 * alphabet without vowels or look-alikes, shown as XXXX-XXXX).
 *
 * @see RFC 8628 §3.2, §5.1 (user code entropy), §6.1 (user code character set)
 */
import { decodeBase64url, encodeBase64url } from "../encoding/base64url";
import { sha256 } from "../encoding/sha256";
import { SID_BYTES } from "../grant/sid";

const PREFIX = "dc_";
const SECRET_BYTES = 32;
const DEVICE_CODE_LENGTH = PREFIX.length + Math.ceil(((SID_BYTES + SECRET_BYTES) * 4) / 3);

/** RFC 8628 §6.1: consonants only, so no word can be spelled; 20 letters, 8 of them: 20^8. */
export const USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ";
const USER_CODE_LENGTH = 8;

/** A new device code for the grant `sid`. */
export function newDeviceCode(sid: string): string {
  const bytes = new Uint8Array(SID_BYTES + SECRET_BYTES);
  bytes.set(decodeBase64url(sid)!, 0);
  crypto.getRandomValues(bytes.subarray(SID_BYTES));
  return PREFIX + encodeBase64url(bytes);
}

/** The sid a device code belongs to; `undefined` for anything that is not one. */
export function sidOfDeviceCode(code: string): string | undefined {
  if (code.length !== DEVICE_CODE_LENGTH || !code.startsWith(PREFIX)) return undefined;
  const bytes = decodeBase64url(code.slice(PREFIX.length));
  if (bytes === undefined || bytes.length !== SID_BYTES + SECRET_BYTES) return undefined;
  return encodeBase64url(bytes.subarray(0, SID_BYTES));
}

/** The stored form of a device code (base64url SHA-256). */
export async function hashDeviceCode(code: string): Promise<string> {
  return encodeBase64url(await sha256(code));
}

/** A new user code, as stored and compared: 8 letters, no dash. */
export function newUserCode(): string {
  // 256 is a multiple of 20 minus 16: drawing again above 239 keeps every letter equally likely.
  let code = "";
  while (code.length < USER_CODE_LENGTH) {
    for (const byte of crypto.getRandomValues(new Uint8Array(USER_CODE_LENGTH))) {
      if (byte < 240 && code.length < USER_CODE_LENGTH) code += USER_CODE_ALPHABET[byte % 20];
    }
  }
  return code;
}

/** A user code as a person reads it: `XXXX-XXXX`. */
export function displayUserCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/**
 * A typed user code in its stored form: any case, dashes and spaces ignored; `undefined` when it
 * cannot be one (wrong length or letters), so that no lookup is spent on it.
 */
export function normalizeUserCode(typed: string): string | undefined {
  const code = typed.toUpperCase().replace(/[-\s]/g, "");
  if (code.length !== USER_CODE_LENGTH) return undefined;
  for (const letter of code) if (!USER_CODE_ALPHABET.includes(letter)) return undefined;
  return code;
}
