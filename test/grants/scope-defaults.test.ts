/**
 * Scopes as MCP clients use them: an omitted scope means the client's registered one (RFC 6749
 * §3.3); SCOPES adds supported scopes; a grant that is not OpenID Connect gets its refresh token
 * without offline_access (OIDC Core §11 governs only OpenID Connect requests).
 */
import { describe, expect, it } from "vitest";
import { registerClient } from "../support/clients";
import {
  authorizationQuery,
  authorize,
  callWith,
  completeLogin,
  expectLoginHandOff,
  redeem,
} from "../support/code-flow";
import { expectTokens } from "../http/support-token-endpoint";
import { admin } from "../support/worker";

async function flow(clientMetadata: Record<string, unknown>, scope: string | undefined) {
  const client = await registerClient(clientMetadata);
  const { query, codeVerifier } = await authorizationQuery(client);
  if (scope === undefined) delete query.scope;
  else query.scope = scope;
  const id = expectLoginHandOff(await authorize(query));
  const view = await (await admin("GET", `/admin/authorizations/${id}`)).json<{ scope: string }>();
  const redirect = await completeLogin(id);
  const body = await expectTokens(
    await redeem(client, { code: redirect.searchParams.get("code")!, codeVerifier, redirectUri: query.redirect_uri! }),
  );
  return { view, body };
}

describe("scopes", () => {
  it("takes the client's registered scope when the request names none", async () => {
    const { view, body } = await flow({ scope: "mcp:tools offline_access" }, undefined);

    expect(view.scope).toBe("mcp:tools offline_access");
    expect(body.scope).toBe("mcp:tools offline_access");
  });

  it("issues a refresh token to a grant that is not OpenID Connect, without offline_access", async () => {
    const { body } = await flow({ scope: "mcp:tools" }, "mcp:tools");

    expect(body.refresh_token).toEqual(expect.stringMatching(/^rt_/));
    expect(body.id_token).toBeUndefined();
  });

  it("issues none to an OpenID Connect grant without offline_access", async () => {
    const { body } = await flow({}, "openid email");

    expect(body.refresh_token).toBeUndefined();
  });

  it("issues none to a client that may not use the refresh_token grant", async () => {
    const { body } = await flow({ grant_types: ["authorization_code"], scope: "mcp:tools" }, "mcp:tools");

    expect(body.refresh_token).toBeUndefined();
  });

  it("lists SCOPES after the standard scopes in discovery", async () => {
    const response = await callWith({ SCOPES: "mcp:tools read:items mcp:tools" }, "/.well-known/openid-configuration");

    expect((await response.json<{ scopes_supported: string[] }>()).scopes_supported).toEqual([
      "openid",
      "profile",
      "email",
      "phone",
      "address",
      "offline_access",
      "mcp:tools",
      "read:items",
    ]);
  });
});
