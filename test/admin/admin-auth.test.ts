import { env } from "cloudflare:workers";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { registerClient } from "../support/clients";
import { ADMIN_TOKEN, BASE, admin, call } from "../support/worker";
import { DESCRIPTION, expectError } from "../http/support-token-endpoint";

const ADMIN_CHALLENGE = 'Bearer realm="Baton admin"';

/** Calls the Worker with `overrides` applied to its bindings (a new object, so config is re-read). */
async function callWith(overrides: Partial<Cloudflare.Env>, request: Request): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, { ...env, ...overrides }, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

function expectAdminRefusal(response: Response): Promise<void> {
  return expectError(response, {
    status: 401,
    error: "invalid_token",
    description: DESCRIPTION.adminToken,
    challenge: ADMIN_CHALLENGE,
  });
}

const ROUTES: [string, string][] = [
  ["POST", "/admin/clients"],
  ["GET", "/admin/clients/client_x"],
  ["DELETE", "/admin/clients/client_x"],
  ["POST", "/admin/clients/client_x/secrets"],
  ["DELETE", "/admin/clients/client_x/secrets/secret_x"],
  ["GET", "/admin/nothing-here"],
];

describe("admin bearer token", () => {
  it.each([
    ["no Authorization header", undefined],
    ["a wrong token", "Bearer wrong-token"],
    ["the token with a character missing", `Bearer ${ADMIN_TOKEN.slice(0, -1)}`],
    ["the token with a character added", `Bearer ${ADMIN_TOKEN}x`],
    ["the token with something after it", `Bearer ${ADMIN_TOKEN} extra`],
    ["the token without a scheme", ADMIN_TOKEN],
    ["the token under the Basic scheme", `Basic ${btoa(`admin:${ADMIN_TOKEN}`)}`],
    ["the scheme alone", "Bearer"],
    ["an empty token", "Bearer "],
  ])("refuses %s with 401 on every admin route", async (_label, authorization) => {
    for (const [method, path] of ROUTES) {
      const headers: Record<string, string> = { "Content-Type": "application/json" };
      if (authorization !== undefined) headers.Authorization = authorization;
      const response = await call(path, { method, headers, ...(method === "POST" && { body: "{}" }) });
      await expectAdminRefusal(response);
    }
  });

  it("accepts the Bearer scheme in any case", async () => {
    const response = await call("/admin/clients", {
      method: "POST",
      headers: { Authorization: `bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ redirect_uris: ["https://app.example/cb"] }),
    });
    expect(response.status).toBe(201);
  });

  it("registers nothing for a caller with a wrong token", async () => {
    const before = (await env.CLIENTS.list()).keys.length;
    const response = await call("/admin/clients", {
      method: "POST",
      headers: { Authorization: "Bearer wrong-token", "Content-Type": "application/json" },
      body: JSON.stringify({ redirect_uris: ["https://app.example/cb"] }),
    });
    await expectAdminRefusal(response);
    expect((await env.CLIENTS.list()).keys.length).toBe(before);
  });

  it("deletes nothing for a caller with a wrong token", async () => {
    const client = await registerClient();
    const response = await call(`/admin/clients/${client.client_id}`, {
      method: "DELETE",
      headers: { Authorization: "Bearer wrong-token" },
    });
    await expectAdminRefusal(response);
    expect((await admin("GET", `/admin/clients/${client.client_id}`)).status).toBe(200);
  });
});

describe("admin API without ADMIN_TOKEN", () => {
  it.each([
    ["unset", undefined],
    ["empty", ""],
  ])("answers 404 on every admin route when ADMIN_TOKEN is %s, even to the old token", async (_label, value) => {
    for (const [method, path] of ROUTES) {
      const request = new Request(BASE + path, {
        method,
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
        ...(method === "POST" && { body: JSON.stringify({ redirect_uris: ["https://app.example/cb"] }) }),
      });
      const response = await callWith({ ADMIN_TOKEN: value }, request);
      expect(response.status).toBe(404);
      expect(response.headers.get("Content-Type")).toBe("application/json");
      expect(await response.json()).toEqual({ error: "not_found", error_description: DESCRIPTION.nothingHere });
    }
  });

  it("answers 404 without a token too, rather than asking for one", async () => {
    const response = await callWith({ ADMIN_TOKEN: undefined }, new Request(`${BASE}/admin/clients/client_x`));
    expect(response.status).toBe(404);
    expect(response.headers.get("WWW-Authenticate")).toBeNull();
  });

  it("serves the admin API through the same entry point when ADMIN_TOKEN is set", async () => {
    // Guards the test above: the 404 comes from the missing token, not from calling the Worker this way.
    const request = new Request(`${BASE}/admin/clients`, {
      method: "POST",
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ redirect_uris: ["https://app.example/cb"] }),
    });
    expect((await callWith({}, request)).status).toBe(201);
  });
});
