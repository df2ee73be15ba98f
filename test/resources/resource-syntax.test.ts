/**
 * What counts as a resource indicator: an absolute RFC 3986 URI as typed, which the URL parser
 * reads exactly as spelled (but for the case of scheme and host and a default port), so that
 * Baton and every resource server see the same URI. Anything another parser could read as a
 * different resource is `invalid_target` at every endpoint that takes one, and in `RESOURCES`.
 *
 * @see RFC 8707 §2, RFC 3986 §3
 */
import { beforeAll, describe, expect, it } from "vitest";
import { expectError } from "../http/support-token-endpoint";
import { registerClient, type TestClient } from "../support/clients";
import { LOGIN_URL, authorizationQuery, authorize, expectErrorRedirect, jwtPayload } from "../support/code-flow";
import { basicAuth } from "../support/token-requests";
import { call, callerWith } from "../support/worker";

const MCP = "https://mcp.example.com/mcp";
const DESCRIPTION = "The requested resource is not valid or not allowed here.";
const INVALID_TARGET = { status: 400, error: "invalid_target", description: DESCRIPTION };
const configured = callerWith({ RESOURCES: MCP });

let machine: TestClient;

beforeAll(async () => {
  machine = await registerClient({ grant_types: ["client_credentials"], redirect_uris: [], scope: "jobs" });
});

/** A client_credentials request for `resource` (each of them, for a list), sent by `send`. */
function tokenFor(resource: string | readonly string[], send = call): Promise<Response> {
  const body = new URLSearchParams({ grant_type: "client_credentials" });
  for (const one of typeof resource === "string" ? [resource] : resource) body.append("resource", one);
  return send("/oauth2/token", {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      Authorization: basicAuth(machine.client_id, machine.client_secret!),
    },
    body,
  });
}

async function audience(response: Response): Promise<unknown> {
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return jwtPayload(JSON.parse(text).access_token).aud;
}

describe("resource syntax: with RESOURCES configured", () => {
  it.each([
    ["a backslash (the URL parser reads path /x/mcp)", "https://mcp.example.com\\x/mcp"],
    ["no // before the host", "https:mcp.example.com/mcp"],
    ["one / before the host", "https:/mcp.example.com/mcp"],
    ["an empty authority", "https:///mcp.example.com/mcp"],
    ["a %-escaped host", "https://%6Dcp.example.com/mcp"],
    ["a dot segment", "https://mcp.example.com/x/../mcp"],
    ["an escaped dot segment", "https://mcp.example.com/x/%2e%2e/mcp"],
    ["a port with a leading zero", "https://mcp.example.com:0443/mcp"],
  ])("refuses %s, though a URL parser may read it as the configured one", async (_label, resource) => {
    await expectError(await tokenFor(resource, configured), INVALID_TARGET);
  });

  it.each([["HTTPS://MCP.Example.com:443/mcp"], ["https://mcp.example.com:/mcp"]])(
    "matches %s and carries the configured spelling",
    async (resource) => {
      expect(await audience(await tokenFor(resource, configured))).toBe(MCP);
    },
  );

  it("refuses the backslash spelling at /oauth2/authorize with an invalid_target redirect", async () => {
    const { query, state } = await authorizationQuery(await registerClient(), {
      extra: { resource: "https://mcp.example.com\\x/mcp" },
    });

    expectErrorRedirect(await authorize(query, { LOGIN_URL, RESOURCES: MCP }), {
      error: "invalid_target",
      description: DESCRIPTION,
      state,
    });
  });

  it("refuses a RESOURCES value that is not a valid URI as a configuration error", async () => {
    await expectError(await tokenFor(MCP, callerWith({ RESOURCES: `${MCP} https://api.example.com\\v1` })), {
      status: 500,
      error: "server_error",
      description: "The server could not complete the request.",
    });
  });
});

describe("resource syntax: without RESOURCES", () => {
  it.each([
    ["a backslash in the host", "https://x.example\\junk/p"],
    ["no // before the host", "https:mcp.example.com/mcp"],
    ["an escape that is not one", "https://mcp.example.com/%ZZ"],
    ["a non-ASCII character", "https://mcp.example.com/caf\u00e9"],
    ["a control character", "https://mcp.example.com/a\u0001b"],
    ["a character RFC 3986 leaves out", "https://mcp.example.com/a|b"],
    ["brackets in the path", "https://mcp.example.com/a[1]"],
    ["a loopback address spelled short", "http://127.1/mcp"],
    ["a port out of range", "https://mcp.example.com:65536/mcp"],
    ["port 0, where nothing listens", "https://mcp.example.com:0/mcp"],
  ])("refuses %s with invalid_target", async (_label, resource) => {
    await expectError(await tokenFor(resource), INVALID_TARGET);
  });

  it("carries a valid resource as typed", async () => {
    expect(await audience(await tokenFor("HTTPS://MCP.Example.com:443/mcp?v=1"))).toBe(
      "HTTPS://MCP.Example.com:443/mcp?v=1",
    );
  });

  it("refuses an invalid resource at device authorization", async () => {
    const device = await registerClient({
      token_endpoint_auth_method: "none",
      grant_types: ["urn:ietf:params:oauth:grant-type:device_code"],
      redirect_uris: [],
      scope: "openid",
    });
    const response = await call("/oauth2/device_authorization", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ client_id: device.client_id, resource: "https://x.example\\junk/p" }),
    });

    await expectError(response, INVALID_TARGET);
  });

  it("refuses an invalid audience in token exchange", async () => {
    const exchanger = await registerClient({
      grant_types: ["urn:ietf:params:oauth:grant-type:token-exchange"],
      redirect_uris: [],
      scope: "",
    });
    const response = await call("/oauth2/token", {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Authorization: basicAuth(exchanger.client_id, exchanger.client_secret!),
      },
      body: new URLSearchParams({
        grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
        subject_token: "x",
        subject_token_type: "urn:ietf:params:oauth:token-type:access_token",
        audience: "https://x.example\\junk/p",
      }),
    });

    await expectError(response, INVALID_TARGET);
  });
});

describe("resource count: at most 20 distinct resources in one request", () => {
  const apis = (n: number) => Array.from({ length: n }, (_, i) => `https://api${i}.example.com/`);

  it("takes 20, and one named 30 times counts once", async () => {
    expect(await audience(await tokenFor(apis(20)))).toEqual(apis(20));
    expect(await audience(await tokenFor(Array(30).fill(MCP)))).toBe(MCP);
  });

  it("refuses 21 at the token endpoint with invalid_target", async () => {
    await expectError(await tokenFor(apis(21)), INVALID_TARGET);
  });

  it("refuses 21 at /oauth2/authorize with an invalid_target redirect", async () => {
    const { query, state } = await authorizationQuery(await registerClient());
    const params = new URLSearchParams(query);
    for (const resource of apis(21)) params.append("resource", resource);
    expectErrorRedirect(await authorize(params), { error: "invalid_target", description: DESCRIPTION, state });
  });
});
