/**
 * Path parameters as itty-router hands them over: still percent-encoded, as they stood in the
 * URL. A subject may hold any character, so it is decoded before use.
 */
import { invalidRequest } from "../errors";

/** `value` percent-decoded. @throws OAuthError `invalid_request` for a malformed escape. */
export function decodePathParam(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    invalidRequest("The path holds a malformed percent-escape.");
  }
}
