/**
 * Reading `SIGNING_KEYS`: a private JWK Set whose first key signs and whose public halves are
 * published. Every unusable set is a configuration error that names the key, never its material.
 *
 * @see RFC 7517 §5, RFC 7518 §6, RFC 8037 §2
 */
import { exportJWK, generateKeyPair, type JWK } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config";
import { loadSigningKeys } from "../../src/tokens/keys";
import { publicJwks } from "../../src/tokens/jwks";

const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

let es256: JWK;
let eddsa: JWK;
let rs256: JWK;

async function privateJwk(alg: "ES256" | "EdDSA" | "RS256", kid: string): Promise<JWK> {
  const options = alg === "EdDSA" ? { crv: "Ed25519" } : alg === "RS256" ? { modulusLength: 2048 } : {};
  const { privateKey } = await generateKeyPair(alg, { ...options, extractable: true });
  return { ...(await exportJWK(privateKey)), kid };
}

function set(...keys: unknown[]): string {
  return JSON.stringify({ keys });
}

async function configError(raw: string | undefined): Promise<ConfigError> {
  const error = await loadSigningKeys(raw).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

beforeAll(async () => {
  es256 = await privateJwk("ES256", "k-es256");
  eddsa = await privateJwk("EdDSA", "k-eddsa");
  rs256 = await privateJwk("RS256", "k-rs256");
});

describe("loadSigningKeys", () => {
  it("signs with the first key and publishes all of them", async () => {
    const keys = await loadSigningKeys(set(eddsa, es256, rs256));

    expect(keys.active.kid).toBe("k-eddsa");
    expect(keys.active.alg).toBe("EdDSA");
    expect(keys.all.map((key) => [key.kid, key.alg])).toEqual([
      ["k-eddsa", "EdDSA"],
      ["k-es256", "ES256"],
      ["k-rs256", "RS256"],
    ]);
  });

  it("publishes only the public members, with kid, alg and use", async () => {
    const keys = await loadSigningKeys(set(es256, eddsa, rs256));

    expect(keys.all.map((key) => key.publicJwk)).toEqual([
      { kty: "EC", crv: "P-256", x: es256.x, y: es256.y, kid: "k-es256", alg: "ES256", use: "sig" },
      { kty: "OKP", crv: "Ed25519", x: eddsa.x, kid: "k-eddsa", alg: "EdDSA", use: "sig" },
      { kty: "RSA", n: rs256.n, e: rs256.e, kid: "k-rs256", alg: "RS256", use: "sig" },
    ]);
  });

  it("accepts Ed25519 as the name of the EdDSA algorithm", async () => {
    const keys = await loadSigningKeys(set({ ...eddsa, alg: "Ed25519", kid: "k-ed-named" }));

    expect(keys.active.alg).toBe("EdDSA");
  });

  it("imports a set once and reuses it while the text stays the same", () => {
    const raw = set(es256, { ...rs256, kid: "k-reuse" });

    expect(loadSigningKeys(raw)).toBe(loadSigningKeys(raw));
  });

  it.each<[string, () => string | undefined, string]>([
    ["is missing", () => undefined, "SIGNING_KEYS is not set"],
    ["is not JSON", () => "{keys:", "SIGNING_KEYS is not JSON"],
    ["is not a set", () => JSON.stringify(es256), "SIGNING_KEYS must be a JWK Set"],
    ["is an empty set", () => set(), "SIGNING_KEYS must be a JWK Set"],
    ["holds a key without kid", () => set({ ...es256, kid: undefined }), "SIGNING_KEYS key 0 has no kid"],
    ["holds a public key", () => set({ ...es256, d: undefined }), "SIGNING_KEYS key 0 is not a private key"],
    ["holds a symmetric key", () => set({ kty: "oct", k: "c2VjcmV0", d: "x", kid: "k" }), "SIGNING_KEYS key 0 is not"],
    ["holds a key whose alg contradicts its type", () => set({ ...es256, alg: "RS256" }), "SIGNING_KEYS key 0 is not"],
    ["holds a P-384 key", () => set({ ...es256, crv: "P-384" }), "SIGNING_KEYS key 0 is not"],
    ["holds a damaged key", () => set(es256, { ...rs256, n: "AAAA" }), "SIGNING_KEYS key 1 could not be imported"],
    ["holds two keys with one kid", () => set(es256, { ...eddsa, kid: "k-es256" }), "two keys with the same kid"],
  ])("refuses a set that %s", async (_label, raw, message) => {
    const error = await configError(raw());

    expect(error.message).toContain(message);
    for (const jwk of [es256, eddsa, rs256]) {
      for (const member of PRIVATE_MEMBERS) {
        const value = jwk[member as keyof JWK];
        if (typeof value === "string") expect(error.message).not.toContain(value);
      }
    }
  });

  it("refuses an RSA key shorter than 2048 bits, which jose would not sign with", async () => {
    const pair = (await crypto.subtle.generateKey(
      { name: "RSASSA-PKCS1-v1_5", modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
      true,
      ["sign", "verify"],
    )) as CryptoKeyPair;
    const weak = { ...(await exportJWK(pair.privateKey)), kid: "k-weak" };

    const error = await configError(set(es256, weak));

    expect(error.message).toBe("SIGNING_KEYS key 1 is an RSA key shorter than 2048 bits");
  });

  it("does not keep a failed import, so a corrected secret is read afresh", async () => {
    const raw = set({ ...es256, kid: undefined });
    const first = loadSigningKeys(raw);
    await first.catch(() => undefined);

    const second = loadSigningKeys(raw);

    expect(second).not.toBe(first);
    await configError(raw);
  });
});

describe("publicJwks", () => {
  it("is {keys: [...]} of the public halves, signing key first, no private member anywhere", async () => {
    const jwks = publicJwks(await loadSigningKeys(set(rs256, es256, eddsa)));

    expect(jwks.keys.map((key) => key.kid)).toEqual(["k-rs256", "k-es256", "k-eddsa"]);
    for (const key of jwks.keys) {
      for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member);
    }
  });
});
