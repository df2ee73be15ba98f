/**
 * `private_key_jwt` (RFC 7523 §2.2, OIDC Core §9): a client proves itself with a JWT signed by
 * one of its registered keys. A right assertion authenticates it whatever its key type, with an
 * aud naming the issuer or the token endpoint, with times anywhere the rules allow, and with a
 * key found without a kid; at the token endpoint (client_credentials and refresh_token) as at
 * the revocation and introspection endpoints.
 */
import { describe, expect, it } from "vitest";
import {
  TOKEN_ENDPOINT,
  assertionParams,
  clientKey,
  postWithAssertion,
  registerKeyClient,
  signAssertion,
  type ClientAlgorithm,
} from "../support/client-keys";
import { startFamily } from "../support/families";
import { BASE } from "../support/worker";
import { expectTokens, postJson } from "../http/support-token-endpoint";
import {
  CLIENT_CREDENTIALS,
  MACHINE,
  machine,
  machineRequest,
  registerMachinesBeforeAll,
} from "./support-private-key-jwt";

registerMachinesBeforeAll();

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
