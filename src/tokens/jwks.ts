/**
 * The public JWK Set served at `/oauth2/jwks`.
 *
 * @see RFC 7517 §5
 */
import type { JWK } from "jose";
import type { SigningKeySet } from "./keys";

/** `{"keys": [...]}` with every configured key's public members, the signing key first. */
export function publicJwks(keys: SigningKeySet): { keys: JWK[] } {
  return { keys: keys.all.map((key) => key.publicJwk) };
}
