/**
 * How `/oauth2/userinfo` reads the bearer token (RFC 6750 §2) and what it answers when the
 * request carries none, or carries it the wrong way (RFC 6750 §3, §3.1).
 */
import { describe, expect, it } from "vitest";
import { registerClient } from "../support/clients";
import { startFamily } from "../support/families";
import { basicAuth } from "../support/token-requests";
import { call } from "../support/worker";

async function expectError(
  response: Response,
  status: number,
  challenge: string,
  body: { error: string; error_description: string },
) {
  expect(response.status).toBe(status);
  expect(response.headers.get("WWW-Authenticate")).toBe(challenge);
  expect(response.headers.get("Content-Type")).toBe("application/json");
  expect(response.headers.get("Cache-Control")).toBe("no-store");
  expect(response.headers.get("Pragma")).toBe("no-cache");
  expect(await response.json()).toEqual(body);
}

const TOKEN_REQUIRED = { error: "invalid_token", error_description: "A bearer access token is required." };

describe("userinfo: reading the bearer token", () => {
  it("answers a request without a token with a bare Bearer challenge and no error code", async () => {
    await expectError(await call("/oauth2/userinfo"), 401, "Bearer", TOKEN_REQUIRED);
  });

  it("answers a POST without a token the same way", async () => {
    const response = await call("/oauth2/userinfo", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "",
    });

    await expectError(response, 401, "Bearer", TOKEN_REQUIRED);
  });

  it("treats another authentication scheme as no bearer token at all", async () => {
    const client = await registerClient();
    const response = await call("/oauth2/userinfo", {
      headers: { Authorization: basicAuth(client.client_id, client.client_secret!) },
    });

    await expectError(response, 401, "Bearer", TOKEN_REQUIRED);
  });

  it("does not read access_token from a JSON body", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const response = await call("/oauth2/userinfo", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ access_token: family.tokens.access_token }),
    });

    await expectError(response, 401, "Bearer", TOKEN_REQUIRED);
  });

  it("refuses a token in the query string, even a valid one", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);

    const response = await call(`/oauth2/userinfo?access_token=${family.tokens.access_token}`);

    await expectError(response, 400, 'Bearer error="invalid_request"', {
      error: "invalid_request",
      error_description: "Access tokens are not accepted in the query string.",
    });
  });

  it("refuses a token sent both in the header and in the body", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const response = await call("/oauth2/userinfo", {
      method: "POST",
      headers: {
        Authorization: `Bearer ${family.tokens.access_token}`,
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ access_token: family.tokens.access_token }),
    });

    await expectError(response, 400, 'Bearer error="invalid_request"', {
      error: "invalid_request",
      error_description: "Send the access token in one place only.",
    });
  });

  it("refuses a form body that repeats access_token", async () => {
    const response = await call("/oauth2/userinfo", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "access_token=a&access_token=b",
    });

    await expectError(response, 400, 'Bearer error="invalid_request"', {
      error: "invalid_request",
      error_description: "A parameter was given more than once.",
    });
  });

  it("answers an empty Bearer header with invalid_token", async () => {
    const response = await call("/oauth2/userinfo", { headers: { Authorization: "Bearer " } });

    await expectError(response, 401, 'Bearer error="invalid_token"', {
      error: "invalid_token",
      error_description: "The access token is invalid, expired or revoked.",
    });
  });

  it.each(["PUT", "DELETE", "PATCH"])("refuses %s with 405 and Allow: GET, POST", async (method) => {
    const response = await call("/oauth2/userinfo", { method });

    expect(response.status).toBe(405);
    expect(response.headers.get("Allow")).toBe("GET, POST");
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    expect(await response.json()).toEqual({
      error: "invalid_request",
      error_description: "This method is not allowed here.",
    });
  });
});
