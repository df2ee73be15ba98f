/**
 * `POST /oauth2/revoke`, the request itself: the client must authenticate as at the token
 * endpoint, `token` is required, and any token at all gets the same empty 200, so that the
 * endpoint tells nothing about tokens (RFC 7009 §2.2).
 *
 * @see RFC 7009 §2.1, §2.2
 */
import { beforeAll, describe, expect, it } from "vitest";
import { DESCRIPTION, expectError, expectInvalidClient, expectInvalidRequest } from "../http/support-token-endpoint";
import { registerClient, type TestClient } from "../support/clients";
import { grantStub, startFamily } from "../support/families";
import { basicAuth } from "../support/token-requests";
import { call } from "../support/worker";
import { clientPost, expectFamilyLive, expectRevocationAnswer, forgedRefreshToken, revoke } from "./endpoint-requests";

let client: TestClient;

beforeAll(async () => {
  client = await registerClient();
});

describe("revocation: client authentication", () => {
  it("answers 401 invalid_client with its challenge when no credentials come, and revokes nothing", async () => {
    const family = await startFamily(client.client_id);
    const response = await call("/oauth2/revoke", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: family.tokens.refresh_token }),
    });

    await expectInvalidClient(response, DESCRIPTION.clientAuthRequired);
    await expectFamilyLive(client, family.tokens);
  });

  it("answers 401 invalid_client to a wrong secret, and revokes nothing", async () => {
    const family = await startFamily(client.client_id);
    const response = await call("/oauth2/revoke", {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Authorization: basicAuth(client.client_id, "not-the-secret"),
      },
      body: new URLSearchParams({ token: family.tokens.access_token }),
    });

    await expectInvalidClient(response);
    await expectFamilyLive(client, family.tokens);
  });

  it("answers 401 invalid_client to an unknown client", async () => {
    const stranger = { client_id: "client_unknown", client_secret: "whatever" };
    await expectInvalidClient(await revoke(stranger, forgedRefreshToken()));
  });

  it("takes credentials in the body (client_secret_post) as well", async () => {
    const family = await startFamily(client.client_id);
    await expectRevocationAnswer(
      await clientPost("/oauth2/revoke", client, { token: family.tokens.refresh_token }, "post"),
    );
    expect(await grantStub(family.sid).session()).toBeUndefined();
  });
});

describe("revocation: the token parameter", () => {
  it("answers 400 invalid_request when token is missing", async () => {
    await expectInvalidRequest(await clientPost("/oauth2/revoke", client, {}), "The token parameter is required.");
  });

  it("counts an empty token as missing", async () => {
    await expectInvalidRequest(
      await clientPost("/oauth2/revoke", client, { token: "" }),
      "The token parameter is required.",
    );
  });

  it("answers 400 invalid_request to a token given twice", async () => {
    const body = new URLSearchParams([
      ["token", "a"],
      ["token", "b"],
    ]);
    const response = await call("/oauth2/revoke", {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Authorization: basicAuth(client.client_id, client.client_secret!),
      },
      body,
    });
    await expectInvalidRequest(response, DESCRIPTION.repeated);
  });

  it("refuses methods other than POST with 405 and Allow", async () => {
    const response = await call("/oauth2/revoke", { method: "GET" });
    await expectError(response, {
      status: 405,
      error: "invalid_request",
      description: DESCRIPTION.postOnly,
      headers: { Allow: "POST" },
    });
  });
});

describe("revocation: any token gets the same answer", () => {
  it.each([
    ["a refresh token of the right shape for a grant that never existed", forgedRefreshToken],
    ["a random string", () => crypto.randomUUID()],
    ["a one-character token", () => "x"],
    ["a JWT-looking string", () => "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."],
    ["a token of 10,000 characters", () => "A".repeat(10_000)],
    ["a token outside ASCII", () => "rt_\u00e9\u{1F600}"],
  ])("answers 200 with an empty body to %s", async (_name, token) => {
    await expectRevocationAnswer(await revoke(client, token()));
  });

  it("answers 200 to a refresh token whose family was already revoked, again and again", async () => {
    const family = await startFamily(client.client_id);
    await expectRevocationAnswer(await revoke(client, family.tokens.refresh_token));

    await expectRevocationAnswer(await revoke(client, family.tokens.refresh_token));
    await expectRevocationAnswer(await revoke(client, family.tokens.access_token));
  });

  it("answers 200 to a refresh token whose MAC was altered, and leaves its family alone", async () => {
    const family = await startFamily(client.client_id);
    const token = family.tokens.refresh_token;
    const altered = token.slice(0, -2) + (token.endsWith("AA") ? "BA" : "AA");

    await expectRevocationAnswer(await revoke(client, altered));

    await expectFamilyLive(client, family.tokens);
  });
});
