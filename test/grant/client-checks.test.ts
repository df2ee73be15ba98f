/**
 * What a refresh request meets before its token is looked at: client authentication, then
 * whether the client may use the refresh_token grant at all (rule 10). None of these refusals
 * spends or revokes the token.
 *
 * @see RFC 6749 §3.2, §5.2
 */
import { describe, expect, it } from "vitest";
import { registerClient } from "../support/clients";
import { grantStub, readFamily, startFamily } from "../support/families";
import { refresh } from "../support/token-requests";
import { admin } from "../support/worker";

const INVALID_CLIENT = { error: "invalid_client", error_description: "Client authentication failed." };
const UNAUTHORIZED_CLIENT = {
  error: "unauthorized_client",
  error_description: "The client is not allowed to use this grant type.",
};

async function expectError(response: Response, status: number, body: object) {
  expect(response.status).toBe(status);
  expect(response.headers.get("Content-Type")).toBe("application/json");
  expect(response.headers.get("Cache-Control")).toBe("no-store");
  expect(response.headers.get("Pragma")).toBe("no-cache");
  expect(await response.json()).toEqual(body);
}

describe("refresh_token grant: the client", () => {
  it("refuses a client whose grant_types lack refresh_token with unauthorized_client", async () => {
    const machine = await registerClient({ grant_types: ["client_credentials"] });
    // A family for this very client, so nothing but the grant type can be at fault.
    const family = await startFamily(machine.client_id);
    const before = await readFamily(family.sid);

    await expectError(await refresh(machine, family.tokens.refresh_token), 400, UNAUTHORIZED_CLIENT);

    expect(await readFamily(family.sid)).toEqual(before);
  });

  it("answers unauthorized_client before looking at the token", async () => {
    const machine = await registerClient({ grant_types: ["client_credentials"] });

    await expectError(await refresh(machine, "not-a-token"), 400, UNAUTHORIZED_CLIENT);
  });

  it("refuses the owner's id with a wrong secret (401 with a Basic challenge) and leaves the family alone", async () => {
    const owner = await registerClient();
    const family = await startFamily(owner.client_id);
    const before = await readFamily(family.sid);
    const impostor = { client_id: owner.client_id, client_secret: "bsk_not-the-secret" };

    const response = await refresh(impostor, family.tokens.refresh_token);

    expect(response.headers.get("WWW-Authenticate")).toBe('Basic realm="Baton"');
    await expectError(response, 401, INVALID_CLIENT);
    expect(await readFamily(family.sid)).toEqual(before);
  });

  it("refuses the owner's id without its secret and leaves the family alone", async () => {
    const owner = await registerClient();
    const family = await startFamily(owner.client_id);
    const before = await readFamily(family.sid);

    await expectError(await refresh(owner, family.tokens.refresh_token, {}, "none"), 401, INVALID_CLIENT);

    expect(await readFamily(family.sid)).toEqual(before);
  });

  it("refuses an unknown client before looking at the token", async () => {
    const nobody = { client_id: "client_unknown", client_secret: "bsk_anything" };

    await expectError(await refresh(nobody, "not-a-token"), 401, INVALID_CLIENT);
  });

  it("stops honouring a deleted client's refresh tokens at once", async () => {
    const owner = await registerClient();
    const family = await startFamily(owner.client_id);
    expect((await admin("DELETE", `/admin/clients/${owner.client_id}`)).status).toBe(204);

    await expectError(await refresh(owner, family.tokens.refresh_token), 401, INVALID_CLIENT);
  });

  it("refuses Basic and body credentials together with invalid_request and leaves the family alone", async () => {
    const owner = await registerClient();
    const family = await startFamily(owner.client_id);
    const before = await readFamily(family.sid);

    await expectError(await refresh(owner, family.tokens.refresh_token, { client_secret: owner.client_secret! }), 400, {
      error: "invalid_request",
      error_description: "Use only one client authentication method.",
    });

    expect(await readFamily(family.sid)).toEqual(before);
  });

  it("refreshes once the client is authenticated, after refusals that spent nothing", async () => {
    const owner = await registerClient();
    const family = await startFamily(owner.client_id);
    await refresh({ client_id: owner.client_id, client_secret: "bsk_wrong" }, family.tokens.refresh_token);
    await grantStub(family.sid).refresh({
      refreshToken: family.tokens.refresh_token,
      clientId: "client_someone_else",
    });

    const response = await refresh(owner, family.tokens.refresh_token);

    expect(response.status).toBe(200);
    expect((await readFamily(family.sid))!.generation).toBe(1);
  });
});
