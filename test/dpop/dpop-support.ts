/** DPoP proofs as a client makes them (RFC 9449 §4.2), with keys of the test's own. */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";
import { BASE } from "../support/worker";

/** A client's DPoP key pair, its public JWK and thumbprint. */
export interface DpopKey {
  privateKey: CryptoKey;
  jwk: JWK;
  jkt: string;
}

export async function newDpopKey(): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  const jwk = await exportJWK(publicKey);
  return { privateKey, jwk, jkt: await calculateJwkThumbprint(jwk, "sha256") };
}

/** What a proof says; anything given replaces the default. */
export interface ProofClaims {
  htm?: string;
  htu?: string;
  iat?: number;
  jti?: string;
  ath?: string;
  nonce?: string;
}

/** A proof for `POST /oauth2/token` unless told otherwise. */
export async function proof(
  key: DpopKey,
  claims: ProofClaims = {},
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT({
    htm: "POST",
    htu: `${BASE}/oauth2/token`,
    iat: Math.floor(Date.now() / 1000),
    jti: crypto.randomUUID(),
    ...claims,
  })
    .setProtectedHeader({ typ: "dpop+jwt", alg: "ES256", jwk: key.jwk, ...header } as never)
    .sign(key.privateKey);
}

/** The `ath` of an access token: base64url SHA-256 (RFC 9449 §4.2). */
export async function ath(token: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token)));
  return btoa(String.fromCharCode(...digest))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}
