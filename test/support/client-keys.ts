/**
 * `private_key_jwt` clients as their owners run them: a key pair of their own, the public half
 * registered (inline or at a jwks_uri), and assertions signed with the private half.
 */
import { SignJWT, exportJWK, generateKeyPair, type JWK, type JWTPayload } from "jose";
import { registerClient, type TestClient } from "./clients";
import { BASE, call } from "./worker";

/** The algorithms a client may sign its assertions with. */
export type ClientAlgorithm = "RS256" | "PS256" | "ES256" | "EdDSA";

/** A client's key pair; `publicJwk` is what it registers. */
export interface ClientKey {
  alg: ClientAlgorithm;
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
export const TOKEN_ENDPOINT = `${BASE}/oauth2/token`;

/** A fresh key pair for `alg`, its public JWK carrying `kid` (and `alg` unless told not to). */
export async function clientKey(alg: ClientAlgorithm, kid = `key-${crypto.randomUUID()}`): Promise<ClientKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, alg === "EdDSA" ? { crv: "Ed25519" } : {});
  return { alg, kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } };
}

/** A client that authenticates with `private_key_jwt`, and the key it signs with. */
export interface KeyClient extends TestClient {
  key: ClientKey;
}

/** Registers a `private_key_jwt` client with its public key inline (or `metadata` instead). */
export async function registerKeyClient(
  key: ClientKey,
  metadata: Record<string, unknown> = { jwks: { keys: [key.publicJwk] } },
): Promise<KeyClient> {
  const client = await registerClient({ token_endpoint_auth_method: "private_key_jwt", ...metadata });
  return { ...client, key };
}

/** The claims a well-made assertion of `clientId` carries, now. */
export function assertionClaims(clientId: string): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return { iss: clientId, sub: clientId, aud: TOKEN_ENDPOINT, jti: crypto.randomUUID(), iat: now, exp: now + 60 };
}

/**
 * Signs an assertion for `client` with its key: the claims of {@link assertionClaims}, changed
 * by `claims` (an `undefined` member removes that claim), with `header` over the default
 * `{alg, kid}`.
 */
export async function signAssertion(
  client: { client_id: string; key: ClientKey },
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
  key: ClientKey = client.key,
): Promise<string> {
  const payload: Record<string, unknown> = { ...assertionClaims(client.client_id), ...claims };
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
  return new SignJWT(payload)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, ...header } as { alg: string })
    .sign(key.privateKey);
}

/** The body parameters that present `assertion`. */
export function assertionParams(assertion: string): Record<string, string> {
  return { client_assertion_type: JWT_BEARER, client_assertion: assertion };
}

/** POSTs a form to `path` (the token endpoint unless told) presenting `assertion`. */
export function postWithAssertion(
  assertion: string,
  params: Record<string, string>,
  path = "/oauth2/token",
  headers: Record<string, string> = {},
): Promise<Response> {
  return call(path, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams({ ...params, ...assertionParams(assertion) }),
  });
}
