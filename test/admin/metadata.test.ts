import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { WEB_CLIENT_METADATA, admin } from "../support/worker";
import { expectError } from "../http/support-token-endpoint";

const MESSAGE = {
  grantTypesArray: "grant_types must be a non-empty array.",
  grantTypesValues:
    "grant_types may hold only authorization_code, refresh_token, client_credentials and the device code and token exchange grants.",
  refreshNeedsCode:
    "refresh_token needs authorization_code or the device code grant, which is where refresh tokens come from.",
  machineNeedsSecret: "client_credentials needs a confidential client (token_endpoint_auth_method other than none).",
  authMethod: "token_endpoint_auth_method must be client_secret_basic, client_secret_post, private_key_jwt or none.",
  redirectUrisArray: "redirect_uris must be a non-empty array for the authorization_code grant.",
  redirectUrisCount: "redirect_uris may hold at most 20 URIs.",
  scopeType: "scope must be a space-separated string.",
  scopeChars: "scope holds a character that RFC 6749 does not allow.",
  clientName: "client_name must be a string of 1 to 200 printable characters.",
  organizationId: "organization_id must be a string of 1 to 200 printable characters.",
};

describe("invalid client metadata", () => {
  it.each<[string, Record<string, unknown>, string]>([
    ["grant_types as a string", { grant_types: "authorization_code" }, MESSAGE.grantTypesArray],
    ["empty grant_types", { grant_types: [] }, MESSAGE.grantTypesArray],
    ["grant_types null", { grant_types: null }, MESSAGE.grantTypesArray],
    ["the password grant", { grant_types: ["authorization_code", "password"] }, MESSAGE.grantTypesValues],
    ["the implicit grant", { grant_types: ["implicit"] }, MESSAGE.grantTypesValues],
    ["a grant type in another case", { grant_types: ["Authorization_Code"] }, MESSAGE.grantTypesValues],
    ["a grant type that is not a string", { grant_types: [1] }, MESSAGE.grantTypesValues],
    ["refresh_token alone", { grant_types: ["refresh_token"] }, MESSAGE.refreshNeedsCode],
    [
      "refresh_token with client_credentials only",
      { grant_types: ["client_credentials", "refresh_token"] },
      MESSAGE.refreshNeedsCode,
    ],
    [
      "client_credentials for a public client",
      { grant_types: ["client_credentials"], token_endpoint_auth_method: "none" },
      MESSAGE.machineNeedsSecret,
    ],
    ["an unsupported auth method", { token_endpoint_auth_method: "client_secret_jwt" }, MESSAGE.authMethod],
    ["an auth method that is not a string", { token_endpoint_auth_method: 1 }, MESSAGE.authMethod],
    ["missing redirect_uris for a code client", { redirect_uris: undefined }, MESSAGE.redirectUrisArray],
    ["empty redirect_uris for a code client", { redirect_uris: [] }, MESSAGE.redirectUrisArray],
    ["redirect_uris as a string", { redirect_uris: "https://app.example/cb" }, MESSAGE.redirectUrisArray],
    [
      "more than 20 redirect URIs",
      { redirect_uris: Array.from({ length: 21 }, (_, i) => `https://app.example/cb${i}`) },
      MESSAGE.redirectUrisCount,
    ],
    ["a scope that is not a string", { scope: ["openid"] }, MESSAGE.scopeType],
    ["a scope with a double quote", { scope: 'openid "admin"' }, MESSAGE.scopeChars],
    ["a scope with a backslash", { scope: "openid a\\b" }, MESSAGE.scopeChars],
    ["a scope with a tab", { scope: "openid\tprofile" }, MESSAGE.scopeChars],
    ["a scope with a newline", { scope: "openid\nprofile" }, MESSAGE.scopeChars],
    ["a scope with a non-ASCII letter", { scope: "openid prófile" }, MESSAGE.scopeChars],
    ["an empty client_name", { client_name: "" }, MESSAGE.clientName],
    ["a client_name over 200 characters", { client_name: "a".repeat(201) }, MESSAGE.clientName],
    ["a client_name that is not a string", { client_name: 7 }, MESSAGE.clientName],
    ["a client_name with a control character", { client_name: "App\u0000" }, MESSAGE.clientName],
    ["a client_name with a line break", { client_name: "App\nAdmin: yes" }, MESSAGE.clientName],
    ["a client_name with a lone surrogate", { client_name: "App \udc00" }, MESSAGE.clientName],
    // Format characters are invisible yet change what is shown: U+202E turns "App\u202Egnp.exe"
    // into "Appexe.png" on a consent page, and U+200B makes two names look the same.
    ["a client_name with a right-to-left override", { client_name: "App\u202Egnp.exe" }, MESSAGE.clientName],
    ["a client_name with a zero-width space", { client_name: "Git\u200bHub" }, MESSAGE.clientName],
    ["a client_name with a byte order mark", { client_name: "\ufeffApp" }, MESSAGE.clientName],
    ["a client_name with a directional isolate", { client_name: "App \u2066x\u2069" }, MESSAGE.clientName],
    ["a client_name with a soft hyphen", { client_name: "Pay\u00adPal" }, MESSAGE.clientName],
    ["an empty organization_id", { organization_id: "" }, MESSAGE.organizationId],
    ["an organization_id that is not a string", { organization_id: { id: "org_1" } }, MESSAGE.organizationId],
    ["an organization_id with a right-to-left override", { organization_id: "org_\u202e1" }, MESSAGE.organizationId],
    ["an organization_id with a zero-width joiner", { organization_id: "org\u200d_1" }, MESSAGE.organizationId],
  ])("refuses %s with invalid_client_metadata", async (_label, change, description) => {
    const before = (await env.CLIENTS.list()).keys.length;
    const response = await admin("POST", "/admin/clients", { ...WEB_CLIENT_METADATA, ...change });
    await expectError(response, { status: 400, error: "invalid_client_metadata", description });
    expect((await env.CLIENTS.list()).keys.length).toBe(before);
  });
});

describe("valid client metadata", () => {
  it.each<[string, Record<string, unknown>]>([
    ["20 redirect URIs", { redirect_uris: Array.from({ length: 20 }, (_, i) => `https://app.example/cb${i}`) }],
    ["a client_name of 200 characters with emoji", { client_name: `${"a".repeat(198)}🙂` }],
    ["a client_name that is null", { client_name: null }],
    ["a client_name in a right-to-left script", { client_name: "تطبيق" }],
    ["a client_name with accents and CJK", { client_name: "Café 東京" }],
    ["a public code client", { token_endpoint_auth_method: "none" }],
    ["a machine client with an empty redirect_uris", { grant_types: ["client_credentials"], redirect_uris: [] }],
    ["all three grant types", { grant_types: ["authorization_code", "refresh_token", "client_credentials"] }],
    ["an empty scope", { scope: "" }],
    ["scope tokens with every allowed symbol", { scope: "openid a:b/c!#$%&'()*+,-.;<=>?@[]^_`{|}~" }],
  ])("accepts %s", async (_label, change) => {
    const response = await admin("POST", "/admin/clients", { ...WEB_CLIENT_METADATA, ...change });
    const text = await response.text();
    expect(response.status, text).toBe(201);
  });

  it("stores the redirect URIs exactly as given", async () => {
    const uris = ["https://App.Example/cb/", "http://localhost:8080/cb?x=1", "com.example.app:/oauth2redirect"];
    const response = await admin("POST", "/admin/clients", { ...WEB_CLIENT_METADATA, redirect_uris: uris });
    expect(response.status).toBe(201);
    expect((await response.json<{ redirect_uris: string[] }>()).redirect_uris).toEqual(uris);
  });
});
