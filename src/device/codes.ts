/**
 * The two codes of a device authorization: the `device_code` the device polls with (`dc_` +
 * base64url(sid ‖ 32 random bytes), routed to its grant like an authorization code and stored
 * only as a hash), and the `user_code` a person types on another screen (8 letters from an
 * alphabet without vowels or look-alikes, shown as XXXX-XXXX).
 *
 * @see RFC 8628 §3.2, §5.1 (user code entropy), §6.1 (user code character set)
 */
import { hashCode, sidCodeFormat } from "../grant/sid-code";

/** RFC 8628 §6.1: consonants only, so no word can be spelled; 20 letters, 8 of them: 20^8. */
export const USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ";
const USER_CODE_LENGTH = 8;

const DEVICE_CODES = sidCodeFormat("dc_");

/** A new device code for the grant `sid`. */
export const newDeviceCode = DEVICE_CODES.mint;

/** The sid a device code belongs to; `undefined` for anything that is not one. */
export const sidOfDeviceCode = DEVICE_CODES.sidOf;

/** The stored form of a device code (base64url SHA-256). */
export const hashDeviceCode = hashCode;

/** A new user code, as stored and compared: 8 letters, no dash. */
export function newUserCode(): string {
  // Bytes of 240 and above are drawn again (240 = 12 × 20), so every letter is equally likely.
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
