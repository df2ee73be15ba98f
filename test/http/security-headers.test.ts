/**
 * The headers that tell a browser how to treat every answer: JSON is never sniffed into
 * something else, and an HTML page sends no `Referer` onwards (its URL may hold an
 * authorization request id).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { registerClient, type TestClient } from "../support/clients";
import { authorizationQuery } from "../support/code-flow";
import { startFamily } from "../support/families";
import { refresh } from "../support/token-requests";
import { admin, call } from "../support/worker";
import { fetchWith } from "../pages/page-support";
import { introspect, userinfo } from "../revocation/endpoint-requests";

let client: TestClient;

beforeAll(async () => {
  client = await registerClient();
});

const devLogin = fetchWith({ DEV_LOGIN: "true" });

describe("X-Content-Type-Options on JSON answers", () => {
  it.each<[string, () => Promise<Response>, number]>([
    ["a token error", () => call("/oauth2/token", { method: "POST" }), 400],
    ["a token response", async () => refresh(client, (await startFamily(client.client_id)).tokens.refresh_token), 200],
    ["the discovery document", () => call("/.well-known/openid-configuration"), 200],
    ["the JWKS", () => call("/oauth2/jwks"), 200],
    [
      "an introspection answer",
      async () => introspect(client, (await startFamily(client.client_id)).tokens.access_token),
      200,
    ],
    ["a userinfo answer", async () => userinfo((await startFamily(client.client_id)).tokens.access_token), 200],
    ["an admin answer", () => admin("GET", `/admin/clients/${client.client_id}`), 200],
    ["an admin refusal", () => call("/admin/clients/x"), 401],
    ["the 404", () => call("/nothing-here"), 404],
  ])("sends nosniff with %s", async (_label, send, status) => {
    const response = await send();
    expect(response.status, await response.clone().text()).toBe(status);
    expect(response.headers.get("Content-Type")).toBe("application/json");
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
  });
});

describe("Referrer-Policy on HTML pages", () => {
  it.each<[string, () => Promise<Response>, number]>([
    ["the landing page", () => call("/"), 200],
    ["the authorization refusal page", () => call("/oauth2/authorize?client_id=unknown"), 400],
    [
      "the development login form, which sets its own CSP",
      async () => {
        const { query } = await authorizationQuery(client);
        const handOff = await devLogin(`/oauth2/authorize?${new URLSearchParams(query)}`);
        expect(handOff.status).toBe(302);
        const location = new URL(handOff.headers.get("Location")!);
        return devLogin(location.pathname + location.search);
      },
      200,
    ],
  ])("sends no-referrer with %s", async (_label, send, status) => {
    const response = await send();
    expect(response.status).toBe(status);
    expect(response.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("Referrer-Policy")).toBe("no-referrer");
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
  });
});
