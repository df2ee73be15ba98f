import { describe, expect, it } from "vitest";
import { registerClient, type TestClient } from "../support/clients";
import { startFamily } from "../support/families";
import { refresh, type AuthStyle } from "../support/token-requests";
import { admin } from "../support/worker";
import { expectError, expectInvalidClient, expectTokens } from "../http/support-token-endpoint";

const LAST_SECRET = "A confidential client must keep at least one secret; add a new one before deleting this one.";

/** Refreshes a fresh family of `client`, authenticating with `secret` the given way. */
async function refreshWith(client: TestClient, secret: string, style: AuthStyle = "basic"): Promise<Response> {
  const family = await startFamily(client.client_id);
  return refresh({ ...client, client_secret: secret }, family.tokens.refresh_token, {}, style);
}

async function addSecret(clientId: string): Promise<{ client_secret_id: string; client_secret: string }> {
  const response = await admin("POST", `/admin/clients/${clientId}/secrets`);
  expect(response.status).toBe(201);
  return response.json();
}

async function listedSecretIds(clientId: string): Promise<string[]> {
  const response = await admin("GET", `/admin/clients/${clientId}`);
  expect(response.status).toBe(200);
  const body = await response.json<{ client_secrets: { client_secret_id: string }[] }>();
  return body.client_secrets.map((secret) => secret.client_secret_id);
}

async function deleteSecret(clientId: string, secretId: string): Promise<void> {
  const response = await admin("DELETE", `/admin/clients/${clientId}/secrets/${secretId}`);
  expect(response.status).toBe(204);
}

describe("secret rotation", () => {
  it.each<AuthStyle>(["basic", "post"])("accepts both secrets once a second one is added (%s)", async (style) => {
    const client = await registerClient();
    const second = await addSecret(client.client_id);
    expect(second.client_secret).not.toBe(client.client_secret);
    await expectTokens(await refreshWith(client, client.client_secret!, style));
    await expectTokens(await refreshWith(client, second.client_secret, style));
  });

  it.each<AuthStyle>(["basic", "post"])("refuses a deleted secret and keeps the other (%s)", async (style) => {
    const client = await registerClient();
    const second = await addSecret(client.client_id);
    await deleteSecret(client.client_id, client.client_secret_id!);
    await expectInvalidClient(await refreshWith(client, client.client_secret!, style));
    await expectTokens(await refreshWith(client, second.client_secret, style));
  });

  it("refuses the newer secret once it is deleted, and keeps the first", async () => {
    const client = await registerClient();
    const second = await addSecret(client.client_id);
    await deleteSecret(client.client_id, second.client_secret_id);
    await expectInvalidClient(await refreshWith(client, second.client_secret));
    await expectTokens(await refreshWith(client, client.client_secret!));
  });

  // A confidential client without a secret could never authenticate again: rotation must add the
  // new secret before the old one goes.
  it("keeps the last secret, which goes on working, when asked to delete it", async () => {
    const client = await registerClient();
    const second = await addSecret(client.client_id);
    await deleteSecret(client.client_id, client.client_secret_id!);
    await expectError(await admin("DELETE", `/admin/clients/${client.client_id}/secrets/${second.client_secret_id}`), {
      status: 409,
      error: "conflict",
      description: LAST_SECRET,
    });
    await expectInvalidClient(await refreshWith(client, client.client_secret!));
    await expectTokens(await refreshWith(client, second.client_secret));
  });

  it("does not let one client's new secret authenticate another client", async () => {
    const [client, other] = await Promise.all([registerClient(), registerClient()]);
    const added = await addSecret(other.client_id);
    await expectInvalidClient(await refreshWith(client, added.client_secret));
  });
});

describe("deleted clients", () => {
  it.each<AuthStyle>(["basic", "post"])("refuses a deleted client's secret at once (%s)", async (style) => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    expect((await admin("DELETE", `/admin/clients/${client.client_id}`)).status).toBe(204);
    await expectInvalidClient(await refresh(client, family.tokens.refresh_token, {}, style));
  });

  it("refuses a deleted public client", async () => {
    const client = await registerClient({ token_endpoint_auth_method: "none" });
    const family = await startFamily(client.client_id);
    expect((await admin("DELETE", `/admin/clients/${client.client_id}`)).status).toBe(204);
    await expectInvalidClient(await refresh(client, family.tokens.refresh_token, {}, "none"));
  });
});

describe("concurrent secret changes", () => {
  // KV has no compare-and-set: were secret changes read-modify-writes on KV, one of two changes
  // made at the same moment would be lost (a deleted secret back to life, or an added one, already
  // shown to the operator, that never works). The client's registry object applies them in turn.
  it("applies a secret deletion and a secret addition made at the same moment", async () => {
    const client = await registerClient();
    const second = await addSecret(client.client_id);
    const [deleted, added] = await Promise.all([
      admin("DELETE", `/admin/clients/${client.client_id}/secrets/${client.client_secret_id}`),
      admin("POST", `/admin/clients/${client.client_id}/secrets`),
    ]);
    expect(deleted.status).toBe(204);
    expect(added.status).toBe(201);
    const third = await added.json<{ client_secret_id: string; client_secret: string }>();
    expect(await listedSecretIds(client.client_id)).toEqual([second.client_secret_id, third.client_secret_id]);
    await expectInvalidClient(await refreshWith(client, client.client_secret!));
    await expectTokens(await refreshWith(client, second.client_secret));
    await expectTokens(await refreshWith(client, third.client_secret));
  });

  // Each deletion alone leaves one secret; both at once would leave none. The check and the
  // change happen together in the client's registry object, so the second one sees the first.
  it("lets only one of two simultaneous deletions of the last two secrets through", async () => {
    const client = await registerClient();
    const second = await addSecret(client.client_id);
    const secrets = [
      { id: client.client_secret_id!, secret: client.client_secret! },
      { id: second.client_secret_id, secret: second.client_secret },
    ];
    const responses = await Promise.all(
      secrets.map(({ id }) => admin("DELETE", `/admin/clients/${client.client_id}/secrets/${id}`)),
    );
    expect(responses.map((response) => response.status).sort()).toEqual([204, 409]);
    const refused = responses.findIndex((response) => response.status === 409);
    await expectError(responses[refused]!, { status: 409, error: "conflict", description: LAST_SECRET });
    const kept = secrets[refused]!;
    const deleted = secrets[1 - refused]!;
    expect(await listedSecretIds(client.client_id)).toEqual([kept.id]);
    await expectTokens(await refreshWith(client, kept.secret));
    await expectInvalidClient(await refreshWith(client, deleted.secret));
  });

  it("keeps every secret added at the same moment", async () => {
    const client = await registerClient();
    const responses = await Promise.all(
      [1, 2, 3].map(() => admin("POST", `/admin/clients/${client.client_id}/secrets`)),
    );
    const added = await Promise.all(responses.map((response) => response.json<{ client_secret: string }>()));
    expect(responses.map((response) => response.status)).toEqual([201, 201, 201]);
    for (const secret of added) await expectTokens(await refreshWith(client, secret.client_secret));
  });
});
