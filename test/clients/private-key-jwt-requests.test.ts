/**
 * How a request presents a `private_key_jwt` assertion: a client with keys has no other way in
 * (its client_id alone or a made-up secret is 401 `invalid_client`); an assertion beside another
 * method, or beside a client_id naming another client, contradicts itself and is 400
 * `invalid_request`; an assertion of another type, or one that is no JWT naming its client, is
 * 401 `invalid_client`, each with a description of its own.
 */
import { describe, it } from "vitest";
import { JWT_BEARER, assertionParams, signAssertion } from "../support/client-keys";
import { basicAuth } from "../support/token-requests";
import { DESCRIPTION, expectInvalidClient, expectInvalidRequest, postForm } from "../http/support-token-endpoint";
import {
  CLIENT_CREDENTIALS,
  machine,
  machineRequest,
  registerMachinesBeforeAll,
  secretClient,
} from "./support-private-key-jwt";

const NOT_SUPPORTED = "The client assertion type is not supported.";
const NOT_A_JWT = "The client assertion is not a valid JWT naming its client.";
const MISMATCH = "The client_id in the body does not match the client assertion.";

registerMachinesBeforeAll();

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
