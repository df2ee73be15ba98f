/**
 * Registering a `private_key_jwt` client through the admin API: public keys inline (`jwks`) or
 * a `jwks_uri`, exactly one of them; no secret is made, shown or accepted for it.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeBase64url, encodeBase64url } from "../../src/encoding/base64url";
import { clientKey, type ClientKey } from "../support/client-keys";
import { admin } from "../support/worker";
import { expectError } from "../http/support-token-endpoint";

const MACHINE = {
  client_name: "Nightly job",
  grant_types: ["client_credentials"],
  redirect_uris: [],
  token_endpoint_auth_method: "private_key_jwt",
  scope: "reports:read",
};

// 32 bytes of base64url: the length of a P-256 or Ed25519 coordinate (not a point, for refusals).
const COORDINATE = "A".repeat(43);
const MESSAGE = {
  exactlyOne: "A private_key_jwt client needs exactly one of jwks and jwks_uri.",
  onlyForKeys: "jwks and jwks_uri are only for private_key_jwt clients.",
  notASet: "jwks must be a JWK Set (an object whose keys member lists at least one key).",
  tooMany: "jwks may hold at most 10 keys.",
  privateKey: "jwks must hold public keys only: no d, p, q, dp, dq, qi, oth or k.",
  unusable: "jwks may hold only RSA, EC P-256 and Ed25519 signing keys, each with an optional kid and alg.",
  sameKid: "Two keys in jwks have the same kid.",
  jwksUri: "jwks_uri must be an https URL (or http://127.0.0.1) without a fragment or userinfo.",
};

/** A modulus of 2048 bits, all set: big enough, so that each refusal below is for its own defect. */
const N2048 = `${"_".repeat(341)}w`;

let ec: ClientKey;
let rsa: ClientKey;
let ed: ClientKey;

beforeAll(async () => {
  [ec, rsa, ed] = await Promise.all([clientKey("ES256"), clientKey("RS256"), clientKey("EdDSA")]);
});

describe("creating a private_key_jwt client", () => {
  it("answers 201 with its keys and no secret", async () => {
    const metadata = { ...MACHINE, jwks: { keys: [ec.publicJwk, rsa.publicJwk, ed.publicJwk] } };
    const response = await admin("POST", "/admin/clients", metadata);

    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({
      ...metadata,
      client_id: expect.stringMatching(/^client_[A-Za-z0-9_-]{22}$/),
      client_id_issued_at: expect.any(Number),
      client_secrets: [],
    });
  });

  it("takes an RSA key of 2048 bits written with a leading zero byte", async () => {
    const modulus = decodeBase64url((rsa.publicJwk as { n: string }).n)!;
    const n = encodeBase64url(new Uint8Array([0, ...modulus]));
    const response = await admin("POST", "/admin/clients", { ...MACHINE, jwks: { keys: [{ ...rsa.publicJwk, n }] } });

    expect(response.status).toBe(201);
    // The modulus the refusals below are built on is taken when nothing else is wrong.
    const plain = await admin("POST", "/admin/clients", {
      ...MACHINE,
      jwks: { keys: [{ kty: "RSA", n: N2048, e: "AQAB" }] },
    });
    expect(plain.status).toBe(201);
  });

  it("keeps only the public members of each key, and its kid, alg, use and key_ops", async () => {
    const extra = { ...ec.publicJwk, key_ops: ["verify"], x5t: "abc", ext: true, comment: "laptop key" };
    const response = await admin("POST", "/admin/clients", { ...MACHINE, jwks: { keys: [extra] } });

    expect(response.status).toBe(201);
    const body = await response.json<{ jwks: { keys: Record<string, unknown>[] } }>();
    expect(body.jwks).toEqual({ keys: [{ ...ec.publicJwk, key_ops: ["verify"] }] });
  });

  it("accepts a jwks_uri instead of inline keys", async () => {
    const metadata = { ...MACHINE, jwks_uri: "https://keys.example/jwks.json" };
    const response = await admin("POST", "/admin/clients", metadata);

    expect(response.status).toBe(201);
    const body = await response.json<Record<string, unknown>>();
    expect(body).toMatchObject({ jwks_uri: "https://keys.example/jwks.json", client_secrets: [] });
    expect(body).not.toHaveProperty("client_secret");
    expect(body).not.toHaveProperty("jwks");
  });

  it("accepts a code-flow client that authenticates with its key", async () => {
    const metadata = {
      ...MACHINE,
      grant_types: ["authorization_code", "refresh_token"],
      redirect_uris: ["https://app.example/cb"],
      scope: "openid offline_access",
      jwks: { keys: [ec.publicJwk] },
    };
    expect((await admin("POST", "/admin/clients", metadata)).status).toBe(201);
  });

  it("stores the record without any secret hash", async () => {
    const response = await admin("POST", "/admin/clients", { ...MACHINE, jwks: { keys: [ec.publicJwk] } });
    const { client_id } = await response.json<{ client_id: string }>();

    const stored = await env.CLIENTS.get<Record<string, unknown>>(`client:${client_id}`, "json");
    expect(stored).toMatchObject({ token_endpoint_auth_method: "private_key_jwt", secrets: [] });
  });

  it("refuses to add a secret to it", async () => {
    const response = await admin("POST", "/admin/clients", { ...MACHINE, jwks: { keys: [ec.publicJwk] } });
    const { client_id } = await response.json<{ client_id: string }>();

    await expectError(await admin("POST", `/admin/clients/${client_id}/secrets`), {
      status: 400,
      error: "invalid_request",
      description: "This client authenticates with a key, not a secret.",
    });
  });
});

describe("refusing key metadata", () => {
  const withKeys = (...keys: unknown[]) => ({ jwks: { keys } });

  it.each<[string, Record<string, unknown>, string]>([
    ["neither jwks nor jwks_uri", {}, MESSAGE.exactlyOne],
    ["a null jwks and no jwks_uri", { jwks: null }, MESSAGE.exactlyOne],
    ["both jwks and jwks_uri", { jwks_uri: "https://keys.example/jwks", jwks: {} }, MESSAGE.exactlyOne],
    ["jwks as an array", { jwks: [] }, MESSAGE.notASet],
    ["jwks as a string", { jwks: '{"keys":[]}' }, MESSAGE.notASet],
    ["jwks without keys", { jwks: {} }, MESSAGE.notASet],
    ["jwks with an empty keys array", withKeys(), MESSAGE.notASet],
    ["jwks with eleven keys", { jwks: { keys: Array.from({ length: 11 }, () => ({ kty: "EC" })) } }, MESSAGE.tooMany],
    ["a symmetric (oct) key", withKeys({ kty: "oct", k: "c2VjcmV0" }), MESSAGE.privateKey],
    ["a key that is not an object", withKeys("key"), MESSAGE.unusable],
    ["a key of an unknown type", withKeys({ kty: "XYZ", x: "AA" }), MESSAGE.unusable],
    ["a key without kty", withKeys({ x: COORDINATE, y: COORDINATE, crv: "P-256" }), MESSAGE.unusable],
    ["an EC key on P-384", withKeys({ kty: "EC", crv: "P-384", x: COORDINATE, y: COORDINATE }), MESSAGE.unusable],
    ["an X25519 key", withKeys({ kty: "OKP", crv: "X25519", x: "AA" }), MESSAGE.unusable],
    ["an EC key without y", withKeys({ kty: "EC", crv: "P-256", x: COORDINATE }), MESSAGE.unusable],
    [
      "an EC key whose x is 31 bytes",
      withKeys({ kty: "EC", crv: "P-256", x: "A".repeat(42), y: COORDINATE }),
      MESSAGE.unusable,
    ],
    ["an EC key whose y is 2 bytes", withKeys({ kty: "EC", crv: "P-256", x: COORDINATE, y: "AAA" }), MESSAGE.unusable],
    [
      "an Ed25519 key whose x is 33 bytes",
      withKeys({ kty: "OKP", crv: "Ed25519", x: "A".repeat(44) }),
      MESSAGE.unusable,
    ],
    ["an RSA key whose n is not base64url", withKeys({ kty: "RSA", n: "a+b/", e: "AQAB" }), MESSAGE.unusable],
    ["an RSA key with a crv", withKeys({ kty: "RSA", n: N2048, e: "AQAB", crv: "P-256" }), MESSAGE.unusable],
    // Verification takes no RSA key under 2048 bits: 340 characters of "_" are 2,040 bits set.
    ["an RSA key of 2,040 bits", withKeys({ kty: "RSA", n: "_".repeat(340), e: "AQAB" }), MESSAGE.unusable],
    ["an RSA key whose n is 65537", withKeys({ kty: "RSA", n: "AQAB", e: "AQAB" }), MESSAGE.unusable],
    [
      "an RSA key of 2,036 bits behind a zero byte",
      withKeys({ kty: "RSA", n: `AA${"_".repeat(340)}`, e: "AQAB" }),
      MESSAGE.unusable,
    ],
    [
      "a key whose alg does not fit its type",
      withKeys({ kty: "RSA", n: N2048, e: "AQAB", alg: "ES256" }),
      MESSAGE.unusable,
    ],
    ["a key for HS256", withKeys({ kty: "RSA", n: N2048, e: "AQAB", alg: "HS256" }), MESSAGE.unusable],
    ["a key for RS512", withKeys({ kty: "RSA", n: N2048, e: "AQAB", alg: "RS512" }), MESSAGE.unusable],
    [
      "an encryption key",
      withKeys({ kty: "EC", crv: "P-256", x: COORDINATE, y: COORDINATE, use: "enc" }),
      MESSAGE.unusable,
    ],
    [
      "a key for signing only",
      withKeys({ kty: "EC", crv: "P-256", x: COORDINATE, y: COORDINATE, key_ops: ["sign"] }),
      MESSAGE.unusable,
    ],
    [
      "a kid that is not a string",
      withKeys({ kty: "EC", crv: "P-256", x: COORDINATE, y: COORDINATE, kid: 7 }),
      MESSAGE.unusable,
    ],
    ["an empty kid", withKeys({ kty: "EC", crv: "P-256", x: COORDINATE, y: COORDINATE, kid: "" }), MESSAGE.unusable],
    [
      "two keys with the same kid",
      withKeys(
        { kty: "EC", crv: "P-256", x: COORDINATE, y: COORDINATE, kid: "a" },
        { kty: "OKP", crv: "Ed25519", x: COORDINATE, kid: "a" },
      ),
      MESSAGE.sameKid,
    ],
    ["a jwks_uri that is not a string", { jwks_uri: ["https://keys.example"] }, MESSAGE.jwksUri],
    ["a jwks_uri that is not a URL", { jwks_uri: "keys" }, MESSAGE.jwksUri],
    ["an http jwks_uri", { jwks_uri: "http://keys.example/jwks" }, MESSAGE.jwksUri],
    ["an http jwks_uri on localhost", { jwks_uri: "http://localhost:8080/jwks" }, MESSAGE.jwksUri],
    ["a jwks_uri with userinfo", { jwks_uri: "https://user@keys.example/jwks" }, MESSAGE.jwksUri],
    ["a jwks_uri with a fragment", { jwks_uri: "https://keys.example/jwks#a" }, MESSAGE.jwksUri],
  ])("refuses %s", async (_label, change, description) => {
    const response = await admin("POST", "/admin/clients", { ...MACHINE, ...change });
    await expectError(response, { status: 400, error: "invalid_client_metadata", description });
  });

  it.each(["d", "p", "q", "dp", "dq", "qi", "oth", "k"])("refuses a key with the private member %s", async (member) => {
    const leaked = { ...rsa.publicJwk, [member]: "c2VjcmV0" };
    const response = await admin("POST", "/admin/clients", { ...MACHINE, jwks: { keys: [leaked] } });
    await expectError(response, { status: 400, error: "invalid_client_metadata", description: MESSAGE.privateKey });
  });

  it.each(["client_secret_basic", "client_secret_post", "none"])(
    "refuses jwks and jwks_uri for a %s client",
    async (method) => {
      const base = { ...MACHINE, grant_types: ["authorization_code"], redirect_uris: ["https://app.example/cb"] };
      for (const keys of [{ jwks: { keys: [ec.publicJwk] } }, { jwks_uri: "https://keys.example/jwks" }]) {
        const response = await admin("POST", "/admin/clients", {
          ...base,
          token_endpoint_auth_method: method,
          ...keys,
        });
        await expectError(response, {
          status: 400,
          error: "invalid_client_metadata",
          description: MESSAGE.onlyForKeys,
        });
      }
    },
  );
});
