/**
 * `private_key_jwt` assertions that are wrong (RFC 7523 §3, RFC 8725 §3.1): replayed or reusing a
 * spent jti, unsigned, MACed, signed with an algorithm, a key or a header Baton does not accept,
 * with a broken signature, naming another client, with claims that break the rules, or for a
 * client that has no keys to check them with. Every one is 401 `invalid_client`, with the same
 * challenge as every other failed client authentication.
 */
import { SignJWT, UnsecuredJWT, exportJWK, generateKeyPair, importJWK } from "jose";
import { describe, it } from "vitest";
import { registerClient } from "../support/clients";
import {
  TOKEN_ENDPOINT,
  clientKey,
  postWithAssertion,
  registerKeyClient,
  signAssertion,
  type ClientAlgorithm,
} from "../support/client-keys";
import { startFamily } from "../support/families";
import { BASE } from "../support/worker";
import { expectInvalidClient, expectTokens } from "../http/support-token-endpoint";
import { MACHINE, machine, machineRequest, registerMachinesBeforeAll, secretClient } from "./support-private-key-jwt";

registerMachinesBeforeAll();

function encode64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/=+$/, "")
    .replace(/\+/g, "-")
    .replace(/\//g, "_");
}

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
