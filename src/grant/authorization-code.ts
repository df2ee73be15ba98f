/**
 * The authorization code format: `ac_` + base64url(sid ‖ 32 random bytes), stored only as its
 * SHA-256 (see sid-code.ts).
 *
 * @see RFC 6749 §4.1.2, §10.10
 */
import { hashCode, sidCodeFormat } from "./sid-code";

const FORMAT = sidCodeFormat("ac_");

/** A new code for the grant `sid`. */
export const newAuthorizationCode = FORMAT.mint;

/** The sid a code belongs to; `undefined` for anything that is not a Baton code. */
export const sidOfAuthorizationCode = FORMAT.sidOf;

/** The stored form of a code (base64url SHA-256). */
export const hashAuthorizationCode = hashCode;
