/**
 * A client's secrets through the admin API: `POST /admin/clients/ID/secrets` adds one, shown
 * once, up to 5 live ones and none for a public client; `DELETE` of
 * `/admin/clients/ID/secrets/SECRET_ID` removes one of that client's with 204, but never a
 * confidential client's last one (409). An unknown client or secret answers 404.
 */
import { describe, expect, it } from "vitest";
import { registerClient } from "../support/clients";
import { admin } from "../support/worker";
import { expectError, expectInvalidRequest } from "../http/support-token-endpoint";
import { SECRET, SECRET_ID, expectJson, expectNotFound } from "./support-clients";

const LAST_SECRET = "A confidential client must keep at least one secret; add a new one before deleting this one.";

describe("client secrets", () => {
  it("adds a second secret and lists both", async () => {
    const client = await registerClient();
    const body = await expectJson(await admin("POST", `/admin/clients/${client.client_id}/secrets`), 201);
    expect(body).toEqual({
      client_secret_id: expect.stringMatching(SECRET_ID),
      client_secret: expect.stringMatching(SECRET),
      client_secret_expires_at: 0,
    });
    expect(body.client_secret).not.toBe(client.client_secret);
    expect(body.client_secret_id).not.toBe(client.client_secret_id);
    const listed = await expectJson(await admin("GET", `/admin/clients/${client.client_id}`), 200);
    expect(listed.client_secrets).toEqual([
      { client_secret_id: client.client_secret_id, created_at: expect.any(Number) },
      { client_secret_id: body.client_secret_id, created_at: expect.any(Number) },
    ]);
  });

  it("deletes a secret with 204 and no body, and then no longer lists it", async () => {
    const client = await registerClient();
    const second = await expectJson(await admin("POST", `/admin/clients/${client.client_id}/secrets`), 201);
    const response = await admin("DELETE", `/admin/clients/${client.client_id}/secrets/${client.client_secret_id}`);
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    const listed = await expectJson(await admin("GET", `/admin/clients/${client.client_id}`), 200);
    expect(listed.client_secrets).toEqual([
      { client_secret_id: second.client_secret_id, created_at: expect.any(Number) },
    ]);
  });

  it("answers 404 for a secret deleted twice", async () => {
    const client = await registerClient();
    expect((await admin("POST", `/admin/clients/${client.client_id}/secrets`)).status).toBe(201);
    const path = `/admin/clients/${client.client_id}/secrets/${client.client_secret_id}`;
    expect((await admin("DELETE", path)).status).toBe(204);
    await expectNotFound(await admin("DELETE", path), "No such client secret.");
  });

  it("refuses to delete a confidential client's last secret with 409, and keeps it", async () => {
    const client = await registerClient();
    await expectError(await admin("DELETE", `/admin/clients/${client.client_id}/secrets/${client.client_secret_id}`), {
      status: 409,
      error: "conflict",
      description: LAST_SECRET,
    });
    const listed = await expectJson(await admin("GET", `/admin/clients/${client.client_id}`), 200);
    expect(listed.client_secrets).toEqual([
      { client_secret_id: client.client_secret_id, created_at: expect.any(Number) },
    ]);
  });

  it("answers 404 for an unknown secret id and leaves the real one alone", async () => {
    const client = await registerClient();
    await expectNotFound(
      await admin("DELETE", `/admin/clients/${client.client_id}/secrets/secret_unknown`),
      "No such client secret.",
    );
    const listed = await expectJson(await admin("GET", `/admin/clients/${client.client_id}`), 200);
    expect(listed.client_secrets).toEqual([
      { client_secret_id: client.client_secret_id, created_at: expect.any(Number) },
    ]);
  });

  it("answers 404 for another client's secret id", async () => {
    const [client, other] = await Promise.all([registerClient(), registerClient()]);
    await expectNotFound(
      await admin("DELETE", `/admin/clients/${client.client_id}/secrets/${other.client_secret_id}`),
      "No such client secret.",
    );
  });

  it("answers 404 when adding or deleting a secret of an unknown client", async () => {
    await expectNotFound(await admin("POST", "/admin/clients/client_unknown/secrets"), "No such client.");
    await expectNotFound(await admin("DELETE", "/admin/clients/client_unknown/secrets/secret_x"), "No such client.");
  });

  it("refuses a secret for a public client", async () => {
    const client = await registerClient({ token_endpoint_auth_method: "none" });
    await expectInvalidRequest(
      await admin("POST", `/admin/clients/${client.client_id}/secrets`),
      "A public client has no secrets.",
    );
  });

  it("refuses a sixth live secret", async () => {
    const client = await registerClient();
    for (let i = 0; i < 4; i++) {
      expect((await admin("POST", `/admin/clients/${client.client_id}/secrets`)).status).toBe(201);
    }
    await expectInvalidRequest(
      await admin("POST", `/admin/clients/${client.client_id}/secrets`),
      "A client may have at most 5 secrets; delete one first.",
    );
    expect(
      (await admin("DELETE", `/admin/clients/${client.client_id}/secrets/${client.client_secret_id}`)).status,
    ).toBe(204);
    expect((await admin("POST", `/admin/clients/${client.client_id}/secrets`)).status).toBe(201);
  });
});
