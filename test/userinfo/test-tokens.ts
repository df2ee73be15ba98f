/**
 * Access tokens signed in the test with the Worker's own configured keys, for the cases the
 * token endpoint never produces (expired, foreign claims, another key's header).
 */
import { env } from "cloudflare:workers";
import { importJWK, SignJWT, type JWK, type JWTPayload } from "jose";

/** The configured private keys, in configuration order (the first signs). */
export function configuredKeys(): (JWK & { kid: string; alg: string })[] {
  return JSON.parse(env.SIGNING_KEYS!).keys;
}

/**
 * Signs `payload` with configured key `index`; `header` overrides the protected header
 * (`alg`, `kid` and `typ: "at+jwt"` by default).
 */
export async function signWithConfiguredKey(
  payload: JWTPayload,
  index = 0,
  header: Record<string, string> = {},
): Promise<string> {
  const jwk = configuredKeys()[index]!;
  const key = await importJWK(jwk, jwk.alg);
  return new SignJWT(payload).setProtectedHeader({ alg: jwk.alg, kid: jwk.kid, typ: "at+jwt", ...header }).sign(key);
}

/** The claims Baton puts in an access token for `sid`, live for five more minutes. */
export function accessTokenClaims(clientId: string, sid: string, scope = "openid profile email"): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: env.ISSUER,
    sub: "user_alice",
    aud: clientId,
    client_id: clientId,
    scope,
    jti: crypto.randomUUID(),
    iat: now,
    exp: now + 300,
    sid,
  };
}
