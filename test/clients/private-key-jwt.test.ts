/**
 * `private_key_jwt` (RFC 7523 §2.2, OIDC Core §9): a client proves itself with a JWT signed by
 * one of its registered keys. Every way an assertion can be wrong is 401 `invalid_client`, with
 * the same challenge as every other failed client authentication; a request that contradicts
 * itself is 400 `invalid_request`.
 */
import { SignJWT, UnsecuredJWT, exportJWK, generateKeyPair, importJWK } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { registerClient, type TestClient } from "../support/clients";
import {
  JWT_BEARER,
  TOKEN_ENDPOINT,
  assertionParams,
  clientKey,
  postWithAssertion,
  registerKeyClient,
  signAssertion,
  type ClientAlgorithm,
  type KeyClient,
} from "../support/client-keys";
import { startFamily } from "../support/families";
import { basicAuth } from "../support/token-requests";
import { BASE } from "../support/worker";
import {
  DESCRIPTION,
  expectInvalidClient,
  expectInvalidRequest,
  expectTokens,
  postForm,
  postJson,
} from "../http/support-token-endpoint";

const MACHINE = { grant_types: ["client_credentials"], redirect_uris: [], scope: "reports:read" };
const CLIENT_CREDENTIALS = { grant_type: "client_credentials" };
const NOT_SUPPORTED = "The client assertion type is not supported.";
const NOT_A_JWT = "The client assertion is not a valid JWT naming its client.";
const MISMATCH = "The client_id in the body does not match the client assertion.";

let machine: KeyClient;
let secretClient: TestClient;

beforeAll(async () => {
  const key = await clientKey("ES256");
  machine = await registerKeyClient(key, { ...MACHINE, jwks: { keys: [key.publicJwk] } });
  secretClient = await registerClient(MACHINE);
});

function encode64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/=+$/, "")
    .replace(/\+/g, "-")
    .replace(/\//g, "_");
}

/** A client_credentials request authenticated by `assertion`. */
function machineRequest(assertion: string, extra: Record<string, string> = {}) {
  return postWithAssertion(assertion, { ...CLIENT_CREDENTIALS, ...extra });
}

describe("a right assertion", () => {
  it.each<ClientAlgorithm>(["ES256", "RS256", "PS256", "EdDSA"])(
    "authenticates a client whose key is %s",
    async (alg) => {
      const key = await clientKey(alg);
      const client = await registerKeyClient(key, { ...MACHINE, jwks: { keys: [key.publicJwk] } });

      const tokens = await expectTokens(await machineRequest(await signAssertion(client)));
      expect(tokens).toMatchObject({ scope: "reports:read", expires_in: 300 });
      const claims = JSON.parse(
        atob((tokens.access_token as string).split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")),
      );
      expect(claims).toMatchObject({ sub: client.client_id, client_id: client.client_id });
    },
  );

  it.each([
    ["the issuer", BASE],
    ["the token endpoint", TOKEN_ENDPOINT],
    ["an array holding the issuer", ["https://elsewhere.example", BASE]],
    ["an array holding the token endpoint", [TOKEN_ENDPOINT, "https://elsewhere.example"]],
  ])("accepts an aud that is %s", async (_label, aud) => {
    await expectTokens(await machineRequest(await signAssertion(machine, { aud })));
  });

  it("accepts a client_id in the body that names the same client", async () => {
    const assertion = await signAssertion(machine);
    await expectTokens(await machineRequest(assertion, { client_id: machine.client_id }));
  });

  it("accepts the assertion in a JSON body", async () => {
    const body = { ...CLIENT_CREDENTIALS, ...assertionParams(await signAssertion(machine)) };
    await expectTokens(await postJson(body));
  });

  it("accepts an exp as far as five minutes ahead, and one that passed within the clock skew", async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectTokens(await machineRequest(await signAssertion(machine, { exp: now + 300 })));
    await expectTokens(await machineRequest(await signAssertion(machine, { exp: now - 10, iat: now - 70 })));
  });

  it("accepts an assertion without iat and nbf, which RFC 7523 leaves optional", async () => {
    await expectTokens(await machineRequest(await signAssertion(machine, { iat: undefined, nbf: undefined })));
  });

  it("tries every key of the right type when the header names none", async () => {
    const [first, second, rsa] = await Promise.all([clientKey("ES256"), clientKey("ES256"), clientKey("RS256")]);
    const client = await registerKeyClient(second, {
      ...MACHINE,
      jwks: { keys: [rsa.publicJwk, first.publicJwk, second.publicJwk] },
    });

    await expectTokens(await machineRequest(await signAssertion(client, {}, { kid: undefined })));
  });

  it("uses a registered key that has no kid or alg of its own", async () => {
    const key = await clientKey("EdDSA");
    const { kid: _kid, alg: _alg, ...bare } = key.publicJwk;
    const client = await registerKeyClient(key, { ...MACHINE, jwks: { keys: [bare] } });

    await expectTokens(await machineRequest(await signAssertion(client, {}, { kid: undefined })));
  });

  it("authenticates the refresh_token grant of a code-flow client", async () => {
    const key = await clientKey("ES256");
    const client = await registerKeyClient(key, { jwks: { keys: [key.publicJwk] } });
    const family = await startFamily(client.client_id);

    const response = await postWithAssertion(await signAssertion(client), {
      grant_type: "refresh_token",
      refresh_token: family.tokens.refresh_token,
    });
    const tokens = await expectTokens(response);
    expect(tokens.refresh_token).toEqual(expect.any(String));
  });

  it("authenticates at the revocation and introspection endpoints", async () => {
    const revoked = await postWithAssertion(await signAssertion(machine), { token: "unknown" }, "/oauth2/revoke");
    expect(revoked.status).toBe(200);
    expect(await revoked.text()).toBe("");

    const introspected = await postWithAssertion(
      await signAssertion(machine),
      { token: "unknown" },
      "/oauth2/introspection",
    );
    expect(introspected.status).toBe(200);
    expect(await introspected.json()).toEqual({ active: false });
  });
});

describe("an assertion that is wrong", () => {
  it("is refused the second time it is presented", async () => {
    const assertion = await signAssertion(machine);
    await expectTokens(await machineRequest(assertion));

    await expectInvalidClient(await machineRequest(assertion));
    await expectInvalidClient(await postWithAssertion(assertion, { token: "x" }, "/oauth2/introspection"));
  });

  it("is refused when a new assertion reuses a spent jti", async () => {
    const jti = crypto.randomUUID();
    await expectTokens(await machineRequest(await signAssertion(machine, { jti })));

    const now = Math.floor(Date.now() / 1000);
    await expectInvalidClient(await machineRequest(await signAssertion(machine, { jti, exp: now + 120 })));
  });

  it("counts jtis per client: another client may use the same one", async () => {
    const key = await clientKey("ES256");
    const other = await registerKeyClient(key, { ...MACHINE, jwks: { keys: [key.publicJwk] } });
    const jti = crypto.randomUUID();

    await expectTokens(await machineRequest(await signAssertion(machine, { jti })));
    await expectTokens(await machineRequest(await signAssertion(other, { jti })));
  });

  it("is refused unsigned (alg none)", async () => {
    const now = Math.floor(Date.now() / 1000);
    const unsecured = new UnsecuredJWT({ jti: crypto.randomUUID() })
      .setIssuer(machine.client_id)
      .setSubject(machine.client_id)
      .setAudience(TOKEN_ENDPOINT)
      .setExpirationTime(now + 60)
      .encode();
    await expectInvalidClient(await machineRequest(unsecured));
  });

  it("is refused when MACed with HS256, even with the public key's bytes as the secret", async () => {
    const secret = new TextEncoder().encode(JSON.stringify(machine.key.publicJwk));
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ jti: crypto.randomUUID() })
      .setProtectedHeader({ alg: "HS256", kid: machine.key.kid })
      .setIssuer(machine.client_id)
      .setSubject(machine.client_id)
      .setAudience(TOKEN_ENDPOINT)
      .setExpirationTime(now + 60)
      .sign(secret);
    await expectInvalidClient(await machineRequest(forged));
  });

  it("is refused when signed with an algorithm Baton does not accept (ES384)", async () => {
    const key = await clientKey("ES256");
    const client = await registerKeyClient(key, { ...MACHINE, jwks: { keys: [key.publicJwk] } });
    const es384 = await clientKey("ES384" as ClientAlgorithm);
    await expectInvalidClient(await machineRequest(await signAssertion(client, {}, {}, es384)));
  });

  it("is refused when signed by a key the client never registered, under its kid or another", async () => {
    const stranger = await clientKey("ES256", machine.key.kid);
    await expectInvalidClient(await machineRequest(await signAssertion(machine, {}, {}, stranger)));
    const unknownKid = await clientKey("ES256");
    await expectInvalidClient(await machineRequest(await signAssertion(machine, {}, {}, unknownKid)));
    await expectInvalidClient(await machineRequest(await signAssertion(machine, {}, { kid: undefined }, unknownKid)));
  });

  it("is refused when signed with another algorithm than the one its key is registered for", async () => {
    const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
    const publicJwk = { ...(await exportJWK(publicKey)), kid: "rsa", alg: "RS256" };
    const client = await registerKeyClient(
      { alg: "RS256", kid: "rsa", privateKey, publicJwk },
      { ...MACHINE, jwks: { keys: [publicJwk] } },
    );
    // The same RSA key, used for PS256: RFC 8725 §3.1 ties a key to one algorithm.
    const pss = (await importJWK(await exportJWK(privateKey), "PS256")) as CryptoKey;
    const assertion = await signAssertion(client, {}, {}, { alg: "PS256", kid: "rsa", privateKey: pss, publicJwk });
    await expectInvalidClient(await machineRequest(assertion));
  });

  it("is refused with a crit header naming an extension Baton does not understand", async () => {
    // Signed by hand: jose will not sign a header it could not itself verify (RFC 7515 §4.1.11).
    const encode = (value: unknown) =>
      btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: "ES256", kid: machine.key.kid, crit: ["urn:example:must-know"], "urn:example:must-know": 1 };
    const claims = { iss: machine.client_id, sub: machine.client_id, aud: TOKEN_ENDPOINT, jti: "crit", exp: now + 60 };
    const input = `${encode(header)}.${encode(claims)}`;
    const signature = new Uint8Array(
      await crypto.subtle.sign(
        { name: "ECDSA", hash: "SHA-256" },
        machine.key.privateKey,
        new TextEncoder().encode(input),
      ),
    );
    const assertion = `${input}.${encode64url(signature)}`;
    await expectInvalidClient(await machineRequest(assertion));
    // The same claims under a plain header verify: only the crit header was wrong.
    await expectTokens(await machineRequest(await signAssertion(machine, { jti: "crit" })));
  });

  it("is refused when its signature is broken", async () => {
    const [header, payload, signature] = (await signAssertion(machine)).split(".");
    const flipped = (signature![0] === "A" ? "B" : "A") + signature!.slice(1);
    await expectInvalidClient(await machineRequest(`${header}.${payload}.${flipped}`));
    await expectInvalidClient(await machineRequest(`${header}.${payload}.`));
  });

  it("is refused when it names another client that has keys of its own", async () => {
    const key = await clientKey("ES256");
    const other = await registerKeyClient(key, { ...MACHINE, jwks: { keys: [key.publicJwk] } });
    const claims = { iss: other.client_id, sub: other.client_id };
    await expectInvalidClient(await machineRequest(await signAssertion(machine, claims)));
  });

  it.each<[string, Record<string, unknown>]>([
    ["an aud of another server", { aud: "https://other.example" }],
    ["an aud of the revocation endpoint", { aud: `${BASE}/oauth2/revoke` }],
    ["an aud with a trailing slash", { aud: `${BASE}/` }],
    ["an array aud of other servers", { aud: ["https://a.example", "https://b.example"] }],
    ["no aud", { aud: undefined }],
    ["no exp", { exp: undefined }],
    [
      "an exp past the clock skew",
      { exp: Math.floor(Date.now() / 1000) - 120, iat: Math.floor(Date.now() / 1000) - 180 },
    ],
    ["an exp more than five minutes ahead", { exp: Math.floor(Date.now() / 1000) + 400 }],
    ["an exp that is not a number", { exp: "soon" }],
    ["an nbf in the future", { nbf: Math.floor(Date.now() / 1000) + 120 }],
    ["an iat in the future", { iat: Math.floor(Date.now() / 1000) + 120 }],
    ["no jti", { jti: undefined }],
    ["an empty jti", { jti: "" }],
    ["a jti that is not a string", { jti: 12345 }],
  ])("is refused with %s", async (_label, claims) => {
    await expectInvalidClient(await machineRequest(await signAssertion(machine, claims)));
  });

  it("is refused for a client that authenticates with a secret", async () => {
    const key = await clientKey("ES256");
    const assertion = await signAssertion({ client_id: secretClient.client_id, key });
    await expectInvalidClient(await machineRequest(assertion));
  });

  it("is refused for a public client", async () => {
    const publicClient = await registerClient({ token_endpoint_auth_method: "none" });
    const key = await clientKey("ES256");
    const family = await startFamily(publicClient.client_id);
    const response = await postWithAssertion(await signAssertion({ client_id: publicClient.client_id, key }), {
      grant_type: "refresh_token",
      refresh_token: family.tokens.refresh_token,
    });
    await expectInvalidClient(response);
  });

  it("is refused for an unknown client", async () => {
    const key = await clientKey("ES256");
    await expectInvalidClient(await machineRequest(await signAssertion({ client_id: "client_unknown", key })));
  });
});

describe("a private_key_jwt client without an assertion", () => {
  it("is refused with its client_id alone", async () => {
    await expectInvalidClient(await postForm({ ...CLIENT_CREDENTIALS, client_id: machine.client_id }));
  });

  it("is refused with a made-up secret, by Basic or in the body", async () => {
    await expectInvalidClient(await postForm(CLIENT_CREDENTIALS, { Authorization: basicAuth(machine.client_id, "x") }));
    await expectInvalidClient(
      await postForm({ ...CLIENT_CREDENTIALS, client_id: machine.client_id, client_secret: "x" }),
    );
  });
});

describe("the shape of an assertion request", () => {
  it("refuses an assertion together with Basic credentials", async () => {
    const response = await postForm(
      { ...CLIENT_CREDENTIALS, ...assertionParams(await signAssertion(machine)) },
      { Authorization: basicAuth(secretClient.client_id, secretClient.client_secret!) },
    );
    await expectInvalidRequest(response, DESCRIPTION.twoMethods);
  });

  it("refuses an assertion together with a client_secret in the body", async () => {
    const response = await machineRequest(await signAssertion(machine), { client_secret: "x" });
    await expectInvalidRequest(response, DESCRIPTION.twoMethods);
  });

  it("refuses a client_assertion_type alongside Basic credentials, even without an assertion", async () => {
    const response = await postForm(
      { ...CLIENT_CREDENTIALS, client_assertion_type: JWT_BEARER },
      { Authorization: basicAuth(secretClient.client_id, secretClient.client_secret!) },
    );
    await expectInvalidRequest(response, DESCRIPTION.twoMethods);
  });

  it("refuses a client_id in the body that names another client than the assertion", async () => {
    const response = await machineRequest(await signAssertion(machine), { client_id: secretClient.client_id });
    await expectInvalidRequest(response, MISMATCH);
  });

  it.each([
    ["no client_assertion_type", undefined],
    ["the SAML 2.0 bearer type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer"],
    ["the type in another case", JWT_BEARER.toUpperCase()],
  ])("refuses an assertion with %s as an unsupported method", async (_label, type) => {
    const params: Record<string, string> = {
      ...CLIENT_CREDENTIALS,
      client_assertion: await signAssertion(machine),
      ...(type !== undefined && { client_assertion_type: type }),
    };
    await expectInvalidClient(await postForm(params), NOT_SUPPORTED);
  });

  it("refuses a client_assertion_type without an assertion as no authentication", async () => {
    const params = { ...CLIENT_CREDENTIALS, client_assertion_type: JWT_BEARER, client_id: machine.client_id };
    await expectInvalidClient(await postForm(params), DESCRIPTION.clientAuthRequired);
  });

  it.each([
    ["a string that is no JWT", "not-a-jwt"],
    ["a JWT whose payload is not JSON", `${btoa('{"alg":"ES256"}')}.${btoa("nope")}.c2ln`],
    ["a JWE", "a.b.c.d.e"],
    ["a JWT with iss differing from sub", "iss"],
    ["a JWT with no sub", "sub"],
    ["a JWT with an empty sub", "empty"],
    ["an assertion longer than 8 KiB", "long"],
  ])("refuses %s as malformed", async (_label, kind) => {
    const assertion =
      kind === "iss"
        ? await signAssertion(machine, { iss: secretClient.client_id })
        : kind === "sub"
          ? await signAssertion(machine, { sub: undefined })
          : kind === "empty"
            ? await signAssertion(machine, { iss: "", sub: "" })
            : kind === "long"
              ? await signAssertion(machine, { padding: "x".repeat(8192) })
              : kind;
    await expectInvalidClient(await machineRequest(assertion), NOT_A_JWT);
  });
});
