/**
 * `POST /admin/grants/SID/revoke`: the host application signs one session out, at once.
 * 204 for any well-formed sid (revoking twice, or an unknown grant, is not an error).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { newTestSid } from "../support/families";
import { DESCRIPTION, expectError } from "../http/support-token-endpoint";
import { registerClient, type TestClient } from "../support/clients";
import { issueCode, redeem, aliceLogin } from "../support/code-flow";
import { readFamily, startFamily } from "../support/families";
import { admin, call } from "../support/worker";
import { expectFamilyEnded, expectFamilyLive, expectInvalidGrant } from "./endpoint-requests";

let client: TestClient;

beforeAll(async () => {
  client = await registerClient();
});

function revokeGrant(sid: string): Promise<Response> {
  return admin("POST", `/admin/grants/${sid}/revoke`);
}

async function expectNoContent(response: Response): Promise<void> {
  expect(response.status).toBe(204);
  expect(await response.text()).toBe("");
}

describe("admin: revoking a grant", () => {
  it("answers 204 and ends the family: refresh, introspection and userinfo all refuse", async () => {
    const family = await startFamily(client.client_id);

    await expectNoContent(await revokeGrant(family.sid));

    expect(await readFamily(family.sid)).toBeUndefined();
    await expectFamilyEnded(client, family.tokens);
  });

  it("ends only the grant it names", async () => {
    const revoked = await startFamily(client.client_id);
    const kept = await startFamily(client.client_id);

    await expectNoContent(await revokeGrant(revoked.sid));

    await expectFamilyLive(client, kept.tokens);
  });

  it("answers 204 again for a grant already revoked", async () => {
    const family = await startFamily(client.client_id);
    await expectNoContent(await revokeGrant(family.sid));

    await expectNoContent(await revokeGrant(family.sid));
  });

  it("answers 204 for a well-formed sid that names no grant", async () => {
    await expectNoContent(await revokeGrant(await newTestSid()));
  });

  it("ends a grant whose code is not yet redeemed: the code is refused, and its request stays answered", async () => {
    const issued = await issueCode(client);

    await expectNoContent(await revokeGrant(issued.sid));

    await expectInvalidGrant(await redeem(client, issued));
    expect((await admin("GET", `/admin/authorizations/${issued.id}`)).status).toBe(404);
    expect((await admin("POST", `/admin/authorizations/${issued.id}/complete`, aliceLogin())).status).toBe(409);
  });

  it.each([
    ["too short", "abc"],
    ["too long", "A".repeat(47)],
    ["outside base64url", "!!!!!!!!!!!!!!!!!!!!!!"],
    ["a refresh token", "rt_" + "A".repeat(91)],
  ])("answers 404 for a sid that is %s", async (_name, sid) => {
    await expectError(await revokeGrant(encodeURIComponent(sid)), {
      status: 404,
      error: "not_found",
      description: "No such grant.",
    });
  });

  it("answers 401 without the admin token and leaves the family alone", async () => {
    const family = await startFamily(client.client_id);
    const response = await call(`/admin/grants/${family.sid}/revoke`, { method: "POST" });

    await expectError(response, {
      status: 401,
      error: "invalid_token",
      description: DESCRIPTION.adminToken,
      challenge: 'Bearer realm="Baton admin"',
    });
    await expectFamilyLive(client, family.tokens);
  });

  it("answers 401 to a wrong admin token and leaves the family alone", async () => {
    const family = await startFamily(client.client_id);
    const response = await call(`/admin/grants/${family.sid}/revoke`, {
      method: "POST",
      headers: { Authorization: "Bearer not-the-admin-token" },
    });

    expect(response.status).toBe(401);
    await expectFamilyLive(client, family.tokens);
  });

  it("does not take the client's own credentials in place of the admin token", async () => {
    const family = await startFamily(client.client_id);
    const response = await call(`/admin/grants/${family.sid}/revoke`, {
      method: "POST",
      headers: { Authorization: `Bearer ${family.tokens.access_token}` },
    });

    expect(response.status).toBe(401);
    await expectFamilyLive(client, family.tokens);
  });
});
