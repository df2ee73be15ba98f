/**
 * GET /oauth2/authorize, requests that cannot be redirected: without a known client and one of
 * its registered redirect URIs, matched exactly, nothing may leave Baton towards a URI taken from
 * the request. The answer is a 400 page, never a Location.
 *
 * @see RFC 6749 §4.1.2.1 (first paragraph), RFC 9700 §2.1 and §4.1
 */
import { env } from "cloudflare:workers";
import { listDurableObjectIds } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { registerClient, type TestClient } from "../support/clients";
import { REDIRECT_URI, authorizationQuery, authorize } from "../support/code-flow";
import { call } from "../support/worker";

let client: TestClient;

beforeAll(async () => {
  client = await registerClient({ redirect_uris: [REDIRECT_URI, "https://app.example/other?tenant=1"] });
});

/** Asserts the refusal page: 400 HTML, no redirect, the reason, and nothing echoed from the request. */
async function expectRefusalPage(response: Response, reason: string, notEchoed: string[] = []): Promise<void> {
  const html = await response.text();
  expect(response.status).toBe(400);
  expect(response.headers.get("Location")).toBeNull();
  expect(response.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
  expect(response.headers.get("Cache-Control")).toBe("no-store");
  expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
  expect(html).toContain(reason);
  for (const text of notEchoed) expect(html).not.toContain(text);
}

const NO_CLIENT = "The request has no valid client_id.";
const UNKNOWN_CLIENT = "The client is not registered.";
const BAD_REDIRECT = "The redirect_uri is missing or is not registered for this client.";

/** A well-formed request for the test client with `change` applied to its query. */
async function query(change: (params: URLSearchParams) => void): Promise<URLSearchParams> {
  const params = new URLSearchParams((await authorizationQuery(client)).query);
  change(params);
  return params;
}

describe("GET /oauth2/authorize: the refusal page", () => {
  it("refuses a request without client_id", async () => {
    await expectRefusalPage(await authorize(await query((p) => p.delete("client_id"))), NO_CLIENT);
  });

  it("refuses an empty client_id", async () => {
    await expectRefusalPage(await authorize(await query((p) => p.set("client_id", ""))), NO_CLIENT);
  });

  it("refuses a client_id given twice, even when both are the client's", async () => {
    await expectRefusalPage(await authorize(await query((p) => p.append("client_id", client.client_id))), NO_CLIENT);
  });

  it("refuses an unknown client without echoing its id", async () => {
    const response = await authorize(await query((p) => p.set("client_id", "client_<script>unknown")));
    await expectRefusalPage(response, UNKNOWN_CLIENT, ["client_<script>unknown", "<script>"]);
  });

  it("refuses a client_id far longer than any Baton issues", async () => {
    await expectRefusalPage(await authorize(await query((p) => p.set("client_id", "c".repeat(5000)))), UNKNOWN_CLIENT);
  });

  it("refuses a request without redirect_uri, even though the client has one registered", async () => {
    await expectRefusalPage(await authorize(await query((p) => p.delete("redirect_uri"))), BAD_REDIRECT);
  });

  it.each([
    ["an unregistered host", "https://evil.example/callback"],
    ["a trailing slash", `${REDIRECT_URI}/`],
    ["another letter case in the path", "https://app.example/Callback"],
    ["an added query", `${REDIRECT_URI}?next=/admin`],
    ["a dropped query", "https://app.example/other"],
    ["a fragment", `${REDIRECT_URI}#x`],
    ["another scheme", "http://app.example/callback"],
    ["an explicit default port", "https://app.example:443/callback"],
    ["an empty value", ""],
  ])("refuses a redirect_uri with %s, without redirecting or echoing it", async (_case, redirectUri) => {
    const response = await authorize(await query((p) => p.set("redirect_uri", redirectUri)));
    await expectRefusalPage(response, BAD_REDIRECT, redirectUri === "" ? [] : [redirectUri]);
  });

  it("refuses a redirect_uri given twice, even when both are registered", async () => {
    await expectRefusalPage(await authorize(await query((p) => p.append("redirect_uri", REDIRECT_URI))), BAD_REDIRECT);
  });

  it("checks the redirect_uri before anything else it could complain about", async () => {
    const response = await authorize({ client_id: client.client_id, redirect_uri: "https://evil.example/cb" });
    await expectRefusalPage(response, BAD_REDIRECT);
  });

  it("keeps nothing for a refused request", async () => {
    const before = (await listDurableObjectIds(env.GRANTS)).length;
    await authorize(await query((p) => p.set("redirect_uri", "https://evil.example/callback")));
    expect((await listDurableObjectIds(env.GRANTS)).length).toBe(before);
  });

  it("answers only GET and POST", async () => {
    const response = await call("/oauth2/authorize", { method: "PUT" });
    expect(response.status).toBe(405);
    expect(response.headers.get("Allow")).toBe("GET, POST");
    expect(response.headers.get("Location")).toBeNull();
  });
});
