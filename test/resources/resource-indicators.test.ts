/**
 * Resource indicators (RFC 8707): a token asked for one resource server carries it as `aud`, so
 * another server refuses it; the grant keeps its resources through every refresh; a resource the
 * grant does not hold is `invalid_target` and spends nothing.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { expectError } from "../http/support-token-endpoint";
import { registerClient, type TestClient } from "../support/clients";
import {
  LOGIN_URL,
  authorizationQuery,
  authorize,
  completeLogin,
  expectErrorRedirect,
  expectLoginHandOff,
  jwtPayload,
} from "../support/code-flow";
import { basicAuth } from "../support/token-requests";
import { admin, call } from "../support/worker";

const MCP = "https://mcp.example.com/mcp";
const API = "https://api.example.com/v1";
const INVALID_TARGET = {
  status: 400,
  error: "invalid_target",
  description: "The requested resource is not valid or not allowed here.",
};

let client: TestClient;

beforeAll(async () => {
  client = await registerClient();
});

/** POSTs a form to the token endpoint as `client`, `resource` repeated as given. */
function tokenPost(params: Record<string, string>, resources: string[] = [], as = client): Promise<Response> {
  const body = new URLSearchParams(params);
  for (const resource of resources) body.append("resource", resource);
  return call("/oauth2/token", {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      Authorization: basicAuth(as.client_id, as.client_secret!),
    },
    body,
  });
}

/** Authorizes with `resources`, logs Alice in, and returns what redeeming needs. */
async function codeFor(resources: string[]) {
  const { query, codeVerifier } = await authorizationQuery(client);
  const params = new URLSearchParams(query);
  for (const resource of resources) params.append("resource", resource);
  const id = expectLoginHandOff(await authorize(params));
  const redirect = await completeLogin(id);
  return {
    id,
    code: redirect.searchParams.get("code")!,
    codeVerifier: codeVerifier!,
    redirectUri: query.redirect_uri!,
  };
}

function redeemParams(issued: { code: string; codeVerifier: string; redirectUri: string }) {
  return {
    grant_type: "authorization_code",
    code: issued.code,
    redirect_uri: issued.redirectUri,
    code_verifier: issued.codeVerifier,
  };
}

async function tokens(response: Response): Promise<Record<string, string>> {
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return JSON.parse(text);
}

describe("resource indicators: the authorization code grant", () => {
  it("keeps every resource asked for and shows them to the consent screen", async () => {
    const { query } = await authorizationQuery(client);
    const params = new URLSearchParams(query);
    params.append("resource", MCP);
    params.append("resource", API);
    const id = expectLoginHandOff(await authorize(params));

    expect(await (await admin("GET", `/admin/authorizations/${id}`)).json()).toMatchObject({ resource: [MCP, API] });
  });

  it("gives aud as every resource of the grant, an array for several, and the ID token's aud stays the client", async () => {
    const issued = await codeFor([MCP, API]);

    const body = await tokens(await tokenPost(redeemParams(issued)));

    expect(jwtPayload(body.access_token!).aud).toEqual([MCP, API]);
    expect(jwtPayload(body.id_token!).aud).toBe(client.client_id);
  });

  it("narrows aud to the resource named at redemption", async () => {
    const issued = await codeFor([MCP, API]);

    const body = await tokens(await tokenPost(redeemParams(issued), [API]));

    expect(jwtPayload(body.access_token!).aud).toBe(API);
  });

  it("refuses a resource the grant does not hold with invalid_target, and the code stays good", async () => {
    const issued = await codeFor([MCP]);

    await expectError(await tokenPost(redeemParams(issued), ["https://other.example.com/mcp"]), INVALID_TARGET);

    const body = await tokens(await tokenPost(redeemParams(issued)));
    expect(jwtPayload(body.access_token!).aud).toBe(MCP);
  });

  it("keeps aud = the client id when no resource was asked for, as WorkOS does", async () => {
    const issued = await codeFor([]);

    const body = await tokens(await tokenPost(redeemParams(issued)));

    expect(jwtPayload(body.access_token!).aud).toBe(client.client_id);
  });
});

describe("resource indicators: refresh", () => {
  it("keeps the grant's resources in every refresh token, narrows one response, and refuses others without spending the token", async () => {
    const first = await tokens(await tokenPost(redeemParams(await codeFor([MCP, API]))));
    const refreshToken = first.refresh_token!;

    await expectError(
      await tokenPost({ grant_type: "refresh_token", refresh_token: refreshToken }, ["https://evil.example.com/"]),
      INVALID_TARGET,
    );
    const narrowed = await tokens(await tokenPost({ grant_type: "refresh_token", refresh_token: refreshToken }, [MCP]));
    expect(jwtPayload(narrowed.access_token!).aud).toBe(MCP);

    const whole = await tokens(
      await tokenPost({ grant_type: "refresh_token", refresh_token: narrowed.refresh_token! }),
    );
    expect(jwtPayload(whole.access_token!).aud).toEqual([MCP, API]);
  });

  it("replays the first answer byte for byte inside the retry window, whatever resource the retry names", async () => {
    const first = await tokens(await tokenPost(redeemParams(await codeFor([MCP, API]))));
    const answer = await tokenPost({ grant_type: "refresh_token", refresh_token: first.refresh_token! }, [MCP]);
    const text = await answer.text();

    const again = await tokenPost({ grant_type: "refresh_token", refresh_token: first.refresh_token! }, [API]);

    expect(await again.text()).toBe(text);
  });

  it("takes several resources in a JSON body as an array", async () => {
    const first = await tokens(await tokenPost(redeemParams(await codeFor([MCP, API]))));

    const response = await call("/oauth2/token", {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Authorization: basicAuth(client.client_id, client.client_secret!),
      },
      body: JSON.stringify({ grant_type: "refresh_token", refresh_token: first.refresh_token, resource: [API, MCP] }),
    });

    expect(jwtPayload((await tokens(response)).access_token!).aud).toEqual([API, MCP]);
  });
});

describe("resource indicators: what is a resource", () => {
  let machine: TestClient;

  beforeAll(async () => {
    machine = await registerClient({ grant_types: ["client_credentials"], redirect_uris: [], scope: "jobs" });
  });

  it.each([
    ["a relative URI", "/mcp"],
    ["a URI with a fragment", "https://mcp.example.com/mcp#x"],
    ["http on a public host", "http://mcp.example.com/mcp"],
    ["another scheme", "urn:example:mcp"],
    ["user info", "https://user@mcp.example.com/mcp"],
    ["whitespace", "https://mcp.example.com/ mcp"],
    ["a right-to-left override", "https://mcp.example.com/\u202emcp"],
  ])("refuses %s with invalid_target", async (_label, resource) => {
    await expectError(await tokenPost({ grant_type: "client_credentials" }, [resource], machine), INVALID_TARGET);
  });

  it.each([
    ["https://mcp.example.com/mcp"],
    ["http://localhost:3000/mcp"],
    ["http://127.0.0.1/mcp"],
    ["http://[::1]:8080/"],
  ])("takes %s for a machine client's token", async (resource) => {
    const body = await tokens(await tokenPost({ grant_type: "client_credentials" }, [resource], machine));
    expect(jwtPayload(body.access_token!).aud).toBe(resource);
  });

  it("refuses an invalid resource at /oauth2/authorize with an invalid_target redirect", async () => {
    const { query, state } = await authorizationQuery(client, { extra: { resource: "https://mcp.example.com/#frag" } });

    expectErrorRedirect(await authorize(query), {
      error: "invalid_target",
      description: "The requested resource is not valid or not allowed here.",
      state,
    });
  });

  it("lets resource repeat at /oauth2/authorize, and only it", async () => {
    const { query } = await authorizationQuery(client);
    const params = new URLSearchParams(query);
    params.append("resource", MCP);
    params.append("resource", MCP);
    expectLoginHandOff(await authorize(params));
  });

  it("reports the token's aud at introspection", async () => {
    const body = await tokens(await tokenPost(redeemParams(await codeFor([MCP, API]))));

    const answer = await call("/oauth2/introspection", {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Authorization: basicAuth(client.client_id, client.client_secret!),
      },
      body: new URLSearchParams({ token: body.access_token! }),
    });

    expect(await answer.json()).toMatchObject({ active: true, aud: [MCP, API] });
  });
});

describe("resource indicators: RESOURCES configured", () => {
  const settings = { LOGIN_URL, RESOURCES: `${MCP} https://API.example.com:443/v1` };

  it("compares normalized, keeps the configured spelling, and refuses anything else", async () => {
    const { query } = await authorizationQuery(client);
    const params = new URLSearchParams(query);
    params.append("resource", "HTTPS://MCP.Example.com:443/mcp");
    const id = expectLoginHandOff(await authorize(params, settings));
    expect(await (await admin("GET", `/admin/authorizations/${id}`)).json()).toMatchObject({ resource: [MCP] });

    const refused = new URLSearchParams(query);
    refused.append("resource", "https://unlisted.example.com/mcp");
    expectErrorRedirect(await authorize(refused, settings), {
      error: "invalid_target",
      description: "The requested resource is not valid or not allowed here.",
      state: query.state,
    });
  });
});
