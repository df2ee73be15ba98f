import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getClient } from "../../src/clients/store";
import { registerClient } from "../support/clients";
import { admin } from "../support/worker";

/** Every key and value in the CLIENTS namespace, following list cursors. */
async function dumpClients(): Promise<{ name: string; value: string }[]> {
  const entries: { name: string; value: string }[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.CLIENTS.list(cursor === undefined ? {} : { cursor });
    for (const key of page.keys) entries.push({ name: key.name, value: (await env.CLIENTS.get(key.name)) ?? "" });
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor !== undefined);
  return entries;
}

describe("client storage", () => {
  it("keeps no client secret in plain anywhere in the namespace", async () => {
    const secrets: string[] = [];
    const clientIds: string[] = [];
    for (const method of ["client_secret_basic", "client_secret_post", "none"]) {
      const client = await registerClient({ token_endpoint_auth_method: method });
      clientIds.push(client.client_id);
      if (client.client_secret !== undefined) secrets.push(client.client_secret);
    }
    for (const clientId of clientIds.slice(0, 2)) {
      const response = await admin("POST", `/admin/clients/${clientId}/secrets`);
      expect(response.status).toBe(201);
      secrets.push((await response.json<{ client_secret: string }>()).client_secret);
    }
    expect(secrets).toHaveLength(4);

    const entries = await dumpClients();
    // The three records are there, so the search below looks at real data.
    expect(entries.map((entry) => entry.name)).toEqual(
      expect.arrayContaining(clientIds.map((clientId) => `client:${clientId}`)),
    );
    for (const secret of secrets) {
      // Both the whole secret and its random part, in case a prefix were stripped before storing.
      const random = secret.replace(/^bsk_/, "");
      for (const entry of entries) {
        expect(entry.name).not.toContain(random);
        expect(entry.value).not.toContain(random);
      }
    }
  });

  it("stores one 256-bit hash per live secret, and drops a deleted secret's hash", async () => {
    const client = await registerClient();
    const response = await admin("POST", `/admin/clients/${client.client_id}/secrets`);
    const second = await response.json<{ client_secret_id: string }>();
    const record = () =>
      env.CLIENTS.get<{ secrets: { id: string; hash: string }[] }>(`client:${client.client_id}`, "json");

    const before = await record();
    expect(before!.secrets.map((secret) => secret.id)).toEqual([client.client_secret_id, second.client_secret_id]);
    for (const secret of before!.secrets) expect(secret.hash).toMatch(/^[A-Za-z0-9_-]{43}$/);

    expect(
      (await admin("DELETE", `/admin/clients/${client.client_id}/secrets/${client.client_secret_id}`)).status,
    ).toBe(204);
    const after = await record();
    expect(after!.secrets.map((secret) => secret.id)).toEqual([second.client_secret_id]);
    expect(JSON.stringify(after)).not.toContain(before!.secrets[0]!.hash);
  });

  it("removes the whole record when a client is deleted", async () => {
    const client = await registerClient();
    expect(await env.CLIENTS.get(`client:${client.client_id}`)).not.toBeNull();
    expect((await admin("DELETE", `/admin/clients/${client.client_id}`)).status).toBe(204);
    expect(await env.CLIENTS.get(`client:${client.client_id}`)).toBeNull();
  });

  it.each([
    ["an unpaired surrogate", "client_\ud800"],
    ["an id longer than any issued", `client_${"a".repeat(200)}`],
  ])("finds no client for %s without asking KV", async (_label, clientId) => {
    // KV itself throws on a key it cannot encode; the lookup must answer "unknown" instead.
    await expect(getClient(env.CLIENTS, clientId)).resolves.toBeUndefined();
  });
});
