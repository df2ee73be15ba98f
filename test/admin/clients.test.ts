/**
 * The admin API's clients: `POST /admin/clients` registers one from its RFC 7591 metadata, with
 * the defaults filled and what only Baton may choose ignored, and refuses a body that is not a
 * JSON object; `GET /admin/clients/ID` shows it without any secret or hash; `DELETE` removes it
 * alone. Unknown admin paths answer a JSON 404. Its secrets are in client-secrets.test.ts.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { registerClient } from "../support/clients";
import { ADMIN_TOKEN, admin, call } from "../support/worker";
import { expectInvalidRequest } from "../http/support-token-endpoint";
import { SECRET, SECRET_ID, expectJson, expectNotFound } from "./support-clients";

const CLIENT_ID = /^client_[A-Za-z0-9_-]{22}$/;

const WEB_APP = {
  client_name: "Web app",
  redirect_uris: ["https://app.example/callback", "http://localhost:3000/callback"],
  grant_types: ["authorization_code", "refresh_token"],
  token_endpoint_auth_method: "client_secret_post",
  scope: "openid profile email offline_access",
  organization_id: "org_1",
};

function now(): number {
  return Math.floor(Date.now() / 1000);
}

/** Sends an admin call with a raw body and content type. */
function adminRaw(path: string, body: BodyInit, contentType?: string): Promise<Response> {
  return call(path, {
    method: "POST",
    headers: {
      Authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(contentType !== undefined && { "Content-Type": contentType }),
    },
    body,
  });
}

describe("POST /admin/clients", () => {
  it("registers a confidential client and shows its first secret once", async () => {
    const body = await expectJson(await admin("POST", "/admin/clients", WEB_APP), 201);
    expect(body).toEqual({
      ...WEB_APP,
      client_id: expect.stringMatching(CLIENT_ID),
      client_id_issued_at: expect.any(Number),
      client_secret: expect.stringMatching(SECRET),
      client_secret_id: expect.stringMatching(SECRET_ID),
      client_secret_expires_at: 0,
      client_secrets: [{ client_secret_id: body.client_secret_id, created_at: expect.any(Number) }],
    });
    expect(Math.abs((body.client_id_issued_at as number) - now())).toBeLessThanOrEqual(5);
  });

  it("registers a public client without any secret", async () => {
    const metadata = { ...WEB_APP, token_endpoint_auth_method: "none" };
    const body = await expectJson(await admin("POST", "/admin/clients", metadata), 201);
    expect(body).toEqual({
      ...metadata,
      client_id: expect.stringMatching(CLIENT_ID),
      client_id_issued_at: expect.any(Number),
      client_secrets: [],
    });
  });

  it("registers a machine client without redirect URIs", async () => {
    const metadata = { grant_types: ["client_credentials"], scope: "reports:read reports:write" };
    const body = await expectJson(await admin("POST", "/admin/clients", metadata), 201);
    expect(body).toMatchObject({
      redirect_uris: [],
      grant_types: ["client_credentials"],
      token_endpoint_auth_method: "client_secret_basic",
      scope: "reports:read reports:write",
      client_secret: expect.stringMatching(SECRET),
    });
  });

  it("fills RFC 7591 defaults for what is left out", async () => {
    const body = await expectJson(
      await admin("POST", "/admin/clients", { redirect_uris: ["https://app.example/cb"] }),
      201,
    );
    expect(body).toMatchObject({
      grant_types: ["authorization_code"],
      token_endpoint_auth_method: "client_secret_basic",
      // Without the refresh_token grant, offline_access would only yield unusable tokens.
      scope: "openid profile email",
    });
    expect(body).not.toHaveProperty("client_name");
    expect(body).not.toHaveProperty("organization_id");
  });

  it("normalises the scope and drops repeated grant types and redirect URIs", async () => {
    const body = await expectJson(
      await admin("POST", "/admin/clients", {
        redirect_uris: ["https://app.example/cb", "https://app.example/cb"],
        grant_types: ["authorization_code", "refresh_token", "authorization_code"],
        scope: "  openid   profile openid ",
      }),
      201,
    );
    expect(body).toMatchObject({
      redirect_uris: ["https://app.example/cb"],
      grant_types: ["authorization_code", "refresh_token"],
      scope: "openid profile",
    });
  });

  it("ignores a client_id, secret or secret list chosen by the caller", async () => {
    const body = await expectJson(
      await admin("POST", "/admin/clients", {
        ...WEB_APP,
        client_id: "client_mine",
        client_secret: "bsk_mine",
        secrets: [{ id: "secret_mine", hash: "x", created_at: 0 }],
        client_id_issued_at: 1,
      }),
      201,
    );
    expect(body.client_id).toMatch(CLIENT_ID);
    expect(body.client_id).not.toBe("client_mine");
    expect(body.client_secret).not.toBe("bsk_mine");
    expect(body.client_id_issued_at).not.toBe(1);
    expect(body.client_secrets).toEqual([{ client_secret_id: body.client_secret_id, created_at: expect.any(Number) }]);
    expect(await env.CLIENTS.get("client:client_mine")).toBeNull();
  });

  it("gives every client its own id and secret", async () => {
    const clients = await Promise.all(Array.from({ length: 5 }, () => registerClient()));
    expect(new Set(clients.map((client) => client.client_id)).size).toBe(5);
    expect(new Set(clients.map((client) => client.client_secret)).size).toBe(5);
  });

  it.each([
    ["text/plain", "text/plain"],
    ["a form", "application/x-www-form-urlencoded"],
  ])("refuses a body sent as %s", async (_label, contentType) => {
    const response = await adminRaw("/admin/clients", JSON.stringify(WEB_APP), contentType);
    await expectInvalidRequest(response, "The body must be application/json.");
  });

  it("refuses a body without Content-Type", async () => {
    const response = await adminRaw("/admin/clients", new TextEncoder().encode(JSON.stringify(WEB_APP)));
    await expectInvalidRequest(response, "The body must be application/json.");
  });

  it.each([
    ["empty", ""],
    ["malformed", "{redirect_uris: []}"],
    ["truncated", '{"redirect_uris": ['],
  ])("refuses a JSON body that is %s", async (_label, body) => {
    await expectInvalidRequest(
      await adminRaw("/admin/clients", body, "application/json"),
      "The body is not valid JSON.",
    );
  });

  it.each(["[]", '"client"', "null", "7"])("refuses the JSON body %s, which is not an object", async (body) => {
    await expectInvalidRequest(
      await adminRaw("/admin/clients", body, "application/json"),
      "The JSON body must be an object.",
    );
  });

  it("refuses a body over 64 KiB with 413", async () => {
    const body = JSON.stringify({ ...WEB_APP, padding: "a".repeat(64 * 1024) });
    await expectInvalidRequest(
      await adminRaw("/admin/clients", body, "application/json"),
      "The request body is too large.",
      413,
    );
  });
});

describe("GET /admin/clients/ID", () => {
  it("shows the metadata and the secrets' ids and creation times", async () => {
    const created = await expectJson(await admin("POST", "/admin/clients", WEB_APP), 201);
    const body = await expectJson(await admin("GET", `/admin/clients/${created.client_id}`), 200);
    const { client_secret: _secret, client_secret_id: _id, client_secret_expires_at: _expires, ...stored } = created;
    expect(body).toEqual(stored);
  });

  it("never shows a secret or a hash", async () => {
    const client = await registerClient();
    const added = await admin("POST", `/admin/clients/${client.client_id}/secrets`);
    const second = await added.json<{ client_secret: string; client_secret_id: string }>();
    const record = await env.CLIENTS.get<{ secrets: { hash: string }[] }>(`client:${client.client_id}`, "json");
    expect(record!.secrets).toHaveLength(2);

    const response = await admin("GET", `/admin/clients/${client.client_id}`);
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(text).toContain(second.client_secret_id);
    expect(text).not.toContain(client.client_secret);
    expect(text).not.toContain(second.client_secret);
    expect(text.toLowerCase()).not.toContain("hash");
    for (const secret of record!.secrets) expect(text).not.toContain(secret.hash);
  });

  it.each([
    ["an unknown id", "client_unknown"],
    ["an id longer than any issued", `client_${"a".repeat(200)}`],
    ["a percent-encoded id", "client%5Fx"],
  ])("answers 404 for %s", async (_label, clientId) => {
    await expectNotFound(await admin("GET", `/admin/clients/${clientId}`), "No such client.");
  });
});

describe("DELETE /admin/clients/ID", () => {
  it("deletes a client with 204, after which it is not found", async () => {
    const client = await registerClient();
    const response = await admin("DELETE", `/admin/clients/${client.client_id}`);
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    await expectNotFound(await admin("GET", `/admin/clients/${client.client_id}`), "No such client.");
    await expectNotFound(await admin("DELETE", `/admin/clients/${client.client_id}`), "No such client.");
    await expectNotFound(await admin("POST", `/admin/clients/${client.client_id}/secrets`), "No such client.");
  });

  it("answers 404 for an unknown client", async () => {
    await expectNotFound(await admin("DELETE", "/admin/clients/client_unknown"), "No such client.");
  });

  it("deletes only the client named", async () => {
    const [client, other] = await Promise.all([registerClient(), registerClient()]);
    expect((await admin("DELETE", `/admin/clients/${client.client_id}`)).status).toBe(204);
    expect((await admin("GET", `/admin/clients/${other.client_id}`)).status).toBe(200);
  });
});

describe("unknown admin paths", () => {
  it.each([
    ["GET", "/admin/nothing"],
    ["GET", "/admin/authorizations/x/other"],
    ["POST", "/admin/clients/x/y"],
  ])("answers %s %s with a JSON 404", async (method, path) => {
    const response = await admin(method, path);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: "not_found", error_description: "There is nothing at this path." });
  });
});

describe("admin paths asked with a method they do not take", () => {
  it.each([
    ["DELETE", "/admin/clients", "GET, POST"],
    ["PUT", "/admin/clients/client_x", "GET, PATCH, DELETE"],
    ["GET", "/admin/clients/client_x/secrets", "POST"],
    ["GET", "/admin/clients/client_x/secrets/s_1", "DELETE"],
    ["DELETE", "/admin/authorizations/x", "GET"],
    ["GET", "/admin/authorizations/x/complete", "POST"],
    ["GET", "/admin/authorizations/x/deny", "POST"],
    ["GET", "/admin/grants/x/revoke", "POST"],
    ["POST", "/admin/users/x/grants", "GET"],
    ["GET", "/admin/users/x/revoke", "POST"],
  ])("answers %s %s with 405 and Allow: %s, changing nothing", async (method, path, allow) => {
    const response = await admin(method, path);
    expect(response.status).toBe(405);
    expect(response.headers.get("Allow")).toBe(allow);
    expect(await response.json()).toEqual({
      error: "invalid_request",
      error_description: "This method is not allowed here.",
    });
  });

  it("still asks for the admin token first", async () => {
    const response = await call("/admin/clients", { method: "DELETE" });
    expect(response.status).toBe(401);
  });
});
