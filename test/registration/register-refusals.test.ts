/**
 * What `POST /oauth2/register` refuses, whole and creating nothing: metadata the `dynamic`
 * rules do not allow (`invalid_client_metadata`), one bad redirect URI among good ones
 * (`invalid_redirect_uri`), a body that is not a JSON object (`invalid_request`) and GET (405).
 * A browser's preflight is answered for any origin.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DESCRIPTION, expectError, expectInvalidRequest } from "../http/support-token-endpoint";
import { REDIRECT_URI } from "../support/code-flow";
import { openAsDeployed as open, register } from "./registration-support";

const MESSAGE = {
  grantTypes: "grant_types may hold only authorization_code, refresh_token and the device code grant.",
  clientCredentials: "client_credentials cannot be registered here: machine clients are registered by the operator.",
  responseTypes: "response_types must hold code alone.",
  scopeNone: "scope names no scope that this server supports.",
  scopeType: "scope must be a space-separated string.",
  redirectUris: "redirect_uris must be a non-empty array for the authorization_code grant.",
  refusedScheme: "A redirect URI must not use a scheme that a browser or the system handles itself.",
  http: "An http redirect URI must be on a loopback host (localhost, 127.0.0.1 or [::1]).",
  clientName: "client_name must be a string of 1 to 200 printable characters.",
};

async function clientCount(): Promise<number> {
  return (await env.CLIENTS.list({ prefix: "client:" })).keys.length;
}

describe("POST /oauth2/register: refused metadata", () => {
  it.each<[string, Record<string, unknown>, string]>([
    ["client_credentials", { grant_types: ["client_credentials"] }, MESSAGE.clientCredentials],
    [
      "client_credentials beside the code grant",
      { grant_types: ["authorization_code", "client_credentials"] },
      MESSAGE.clientCredentials,
    ],
    ["the implicit grant", { grant_types: ["implicit"] }, MESSAGE.grantTypes],
    [
      "the token exchange grant, which is for confidential clients the operator registers",
      { grant_types: ["urn:ietf:params:oauth:grant-type:token-exchange"] },
      MESSAGE.grantTypes,
    ],
    ["response_types token", { response_types: ["token"] }, MESSAGE.responseTypes],
    ["response_types code and id_token", { response_types: ["code", "id_token"] }, MESSAGE.responseTypes],
    ["response_types as a string", { response_types: "code" }, MESSAGE.responseTypes],
    ["a scope of nothing Baton supports", { scope: "admin root" }, MESSAGE.scopeNone],
    ["an empty scope", { scope: "" }, MESSAGE.scopeNone],
    ["a scope that is not a string", { scope: ["openid"] }, MESSAGE.scopeType],
    ["no redirect_uris", { redirect_uris: undefined }, MESSAGE.redirectUris],
    ["a client_name with a right-to-left override", { client_name: "Notes\u202egnp.exe" }, MESSAGE.clientName],
    [
      "an id_token_signed_response_alg no key has",
      { id_token_signed_response_alg: "HS256" },
      "id_token_signed_response_alg must be the algorithm of one of the configured signing keys.",
    ],
  ])("refuses %s with invalid_client_metadata and creates nothing", async (_label, change, description) => {
    const before = await clientCount();
    const response = await register({ redirect_uris: [REDIRECT_URI], ...change });
    await expectError(response, {
      status: 400,
      error: "invalid_client_metadata",
      description,
      headers: { "Access-Control-Allow-Origin": "*" },
    });
    expect(await clientCount()).toBe(before);
  });

  it.each<[string, string[], string]>([
    ["javascript", [REDIRECT_URI, "javascript:alert(document.cookie)"], MESSAGE.refusedScheme],
    [
      "plain http on a public host",
      ["cursor://anysphere.cursor-mcp/oauth/callback", "http://evil.example/cb"],
      MESSAGE.http,
    ],
  ])(
    "refuses the whole registration for one bad redirect URI (%s) with invalid_redirect_uri",
    async (_label, uris, description) => {
      const before = await clientCount();
      await expectError(await register({ redirect_uris: uris }), {
        status: 400,
        error: "invalid_redirect_uri",
        description,
      });
      expect(await clientCount()).toBe(before);
    },
  );

  it.each([
    [
      "a form body",
      "redirect_uris=https://app.example/cb",
      "application/x-www-form-urlencoded",
      "The body must be application/json.",
    ],
    ["malformed JSON", '{"redirect_uris": [', "application/json", "The body is not valid JSON."],
    ["a JSON array", "[]", "application/json", "The JSON body must be an object."],
  ])("refuses %s with invalid_request", async (_label, body, contentType, description) => {
    await expectInvalidRequest(await register(body, { "Content-Type": contentType }), description);
  });

  it("refuses GET with 405 and Allow: POST", async () => {
    const response = await open("/oauth2/register");
    await expectError(response, {
      status: 405,
      error: "invalid_request",
      description: DESCRIPTION.postOnly,
      headers: { Allow: "POST" },
    });
  });

  it("answers a browser's preflight for any origin", async () => {
    const response = await open("/oauth2/register", {
      method: "OPTIONS",
      headers: {
        Origin: "https://inspector.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(response.headers.get("Access-Control-Allow-Methods")).toBe("POST");
  });
});
