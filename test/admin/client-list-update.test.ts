/**
 * `GET /admin/clients` (cursor pages) and `PATCH /admin/clients/ID` (validated as at creation,
 * applied one at a time by the client's registry object, so concurrent updates keep each other).
 */
import { reset } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { expectError } from "../http/support-token-endpoint";
import { registerClient } from "../support/clients";
import { basicAuth } from "../support/token-requests";
import { admin, call } from "../support/worker";

beforeEach(async () => {
  await reset();
});

async function listAll(limit: number): Promise<{ pages: number; clients: Record<string, unknown>[] }> {
  const clients: Record<string, unknown>[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const response = await admin("GET", `/admin/clients?limit=${limit}${cursor === null ? "" : `&cursor=${cursor}`}`);
    expect(response.status).toBe(200);
    const page = await response.json<{ clients: Record<string, unknown>[]; cursor: string | null }>();
    clients.push(...page.clients);
    cursor = page.cursor;
    pages++;
  } while (cursor !== null);
  return { pages, clients };
}

describe("GET /admin/clients", () => {
  it("lists every client a page at a time, never a secret or its hash", async () => {
    const made = await Promise.all(Array.from({ length: 5 }, (_, i) => registerClient({ client_name: `App ${i}` })));

    const { pages, clients } = await listAll(2);

    expect(pages).toBe(3);
    expect(clients.map((c) => c.client_id).sort()).toEqual(made.map((c) => c.client_id).sort());
    const text = JSON.stringify(clients);
    for (const client of made) expect(text).not.toContain(client.client_secret!);
    expect(text).not.toContain('"hash"');
    expect(clients[0]).toMatchObject({
      client_name: expect.stringMatching(/^App /),
      client_secrets: [expect.any(Object)],
    });
  });

  it("answers an empty list and a null cursor when there are no clients", async () => {
    expect(await (await admin("GET", "/admin/clients")).json()).toEqual({ clients: [], cursor: null });
  });

  it.each([["0"], ["1001"], ["ten"], ["-1"], ["2.5"]])("refuses limit=%s with invalid_request", async (limit) => {
    await expectError(await admin("GET", `/admin/clients?limit=${limit}`), {
      status: 400,
      error: "invalid_request",
      description: "limit must be a whole number from 1 to 1000.",
    });
  });
});

describe("PATCH /admin/clients/ID", () => {
  it("replaces the members given, keeps the rest and the secrets, and the client still authenticates", async () => {
    const client = await registerClient({ organization_id: "org_1" });

    const response = await admin("PATCH", `/admin/clients/${client.client_id}`, {
      client_name: "Renamed",
      redirect_uris: ["https://app.example/callback", "https://app.example/other"],
      organization_id: null,
    });

    expect(response.status).toBe(200);
    const updated = await response.json<Record<string, unknown>>();
    expect(updated).toMatchObject({
      client_id: client.client_id,
      client_name: "Renamed",
      redirect_uris: ["https://app.example/callback", "https://app.example/other"],
      scope: "openid profile email offline_access",
    });
    expect(updated).not.toHaveProperty("organization_id");
    expect(await (await admin("GET", `/admin/clients/${client.client_id}`)).json()).toEqual(updated);
    const introspection = await call("/oauth2/introspection", {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Authorization: basicAuth(client.client_id, client.client_secret!),
      },
      body: "token=x",
    });
    expect(introspection.status).toBe(200);
  });

  it("keeps both of two updates to different members made at once", async () => {
    const client = await registerClient();

    const [one, two] = await Promise.all([
      admin("PATCH", `/admin/clients/${client.client_id}`, { client_name: "Both" }),
      admin("PATCH", `/admin/clients/${client.client_id}`, { organization_id: "org_both" }),
    ]);

    expect([one.status, two.status]).toEqual([200, 200]);
    expect(await (await admin("GET", `/admin/clients/${client.client_id}`)).json()).toMatchObject({
      client_name: "Both",
      organization_id: "org_both",
    });
  });

  it("refuses an invalid redirect URI as creation would, and changes nothing", async () => {
    const client = await registerClient();
    const before = await (await admin("GET", `/admin/clients/${client.client_id}`)).json();

    const response = await admin("PATCH", `/admin/clients/${client.client_id}`, {
      redirect_uris: ["javascript:alert(1)"],
    });

    expect(response.status).toBe(400);
    expect((await response.json<{ error: string }>()).error).toBe("invalid_redirect_uri");
    expect(await (await admin("GET", `/admin/clients/${client.client_id}`)).json()).toEqual(before);
  });

  it("refuses to switch between a secret and no secret", async () => {
    const client = await registerClient();

    await expectError(
      await admin("PATCH", `/admin/clients/${client.client_id}`, { token_endpoint_auth_method: "none" }),
      {
        status: 400,
        error: "invalid_client_metadata",
        description: "token_endpoint_auth_method cannot change between a secret and no secret; register a new client.",
      },
    );
    const switched = await admin("PATCH", `/admin/clients/${client.client_id}`, {
      token_endpoint_auth_method: "client_secret_post",
    });
    expect(switched.status).toBe(200);
  });

  it.each([["client_id"], ["client_secret"], ["client_secrets"], ["client_id_issued_at"], ["client_kind"]])(
    "refuses to change %s",
    async (member) => {
      const client = await registerClient();
      await expectError(await admin("PATCH", `/admin/clients/${client.client_id}`, { [member]: "x" }), {
        status: 400,
        error: "invalid_request",
        description: "client_id, issue time, kind and secrets cannot be changed here.",
      });
    },
  );

  it("answers 404 for an unknown client", async () => {
    await expectError(await admin("PATCH", "/admin/clients/client_nobody", { client_name: "x" }), {
      status: 404,
      error: "not_found",
      description: "No such client.",
    });
  });
});
