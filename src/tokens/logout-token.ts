/**
 * The logout token of back-channel logout: a JWT that tells a client one of its sessions has
 * ended, signed with the keys that sign ID tokens and explicitly typed, so that no client can
 * take it for an ID token (it has no `nonce` either).
 *
 * @see OpenID Connect Back-Channel Logout 1.0 §2.4, RFC 8725 §3.11 (explicit typing)
 */
import { SignJWT } from "jose";
import { randomBase64url } from "../encoding/base64url";
import { idTokenKey, type SigningAlgorithm, type SigningKeySet } from "./keys";

/** The event that makes a JWT a logout token (Back-Channel Logout §2.4). */
export const BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout";

/** How long a logout token is good for (seconds): a notice is delivered now or never. */
export const LOGOUT_TOKEN_TTL = 120;

/** Who and which session a logout token is about. */
export interface LogoutTokenSubject {
  issuer: string;
  clientId: string;
  subject: string;
  sid: string;
  /** The client's `id_token_signed_response_alg`, whose key signs its logout tokens too. */
  idTokenAlg?: SigningAlgorithm;
}

/**
 * Signs a logout token with the key of the client's ID tokens: header `typ: "logout+jwt"` and
 * `kid`; `iss`, `aud` (the client), `iat`, `exp` two minutes on, a fresh `jti`, `sub`, `sid` and
 * the back-channel logout event.
 */
export function signLogoutToken(keys: SigningKeySet, about: LogoutTokenSubject, now: number): Promise<string> {
  const key = idTokenKey(keys, about.idTokenAlg);
  return new SignJWT({
    iss: about.issuer,
    sub: about.subject,
    aud: about.clientId,
    iat: now,
    exp: now + LOGOUT_TOKEN_TTL,
    jti: randomBase64url(16),
    sid: about.sid,
    events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
  })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "logout+jwt" })
    .sign(key.privateKey);
}
