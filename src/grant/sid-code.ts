/**
 * One-time codes that route to their grant: a prefix and base64url(sid ‖ 32 random bytes). The
 * sid (checked by its tag first) routes the code to its grant's object, which keeps only the
 * SHA-256 of the whole code. Authorization codes (`ac_`) and device codes (`dc_`) are both.
 *
 * @see RFC 6749 §4.1.2 and §10.10, RFC 8628 §3.2
 */
import { decodeBase64url, encodeBase64url } from "../encoding/base64url";
import { sha256 } from "../encoding/sha256";
import { SID_BYTES } from "./sid";

const SECRET_BYTES = 32;

/** Making, reading and hashing the codes of one prefix. */
export interface SidCodeFormat {
  /** A new code for the grant `sid`. */
  mint(sid: string): string;
  /** The sid a code belongs to; `undefined` for anything that is not such a code. */
  sidOf(code: string): string | undefined;
}

/** The code format with `prefix`. */
export function sidCodeFormat(prefix: string): SidCodeFormat {
  const length = prefix.length + Math.ceil(((SID_BYTES + SECRET_BYTES) * 4) / 3);
  return {
    mint(sid) {
      const bytes = new Uint8Array(SID_BYTES + SECRET_BYTES);
      bytes.set(decodeBase64url(sid)!, 0);
      crypto.getRandomValues(bytes.subarray(SID_BYTES));
      return prefix + encodeBase64url(bytes);
    },
    sidOf(code) {
      if (code.length !== length || !code.startsWith(prefix)) return undefined;
      const bytes = decodeBase64url(code.slice(prefix.length));
      if (bytes === undefined || bytes.length !== SID_BYTES + SECRET_BYTES) return undefined;
      return encodeBase64url(bytes.subarray(0, SID_BYTES));
    },
  };
}

/** The stored form of a code (base64url SHA-256). */
export async function hashCode(code: string): Promise<string> {
  return encodeBase64url(await sha256(code));
}
