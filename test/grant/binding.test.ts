/**
 * Rule 6 of the refresh_token grant: a refresh token works only for its own client, and another
 * client's attempt, with any token of the family, changes nothing at all.
 *
 * @see RFC 6749 §6, RFC 9700 §4.14.2
 */
import { describe, expect, it } from "vitest";
import { registerClient, type TestClient } from "../support/clients";
import { ageFamily, readFamily, startFamily } from "../support/families";
import { refresh } from "../support/token-requests";
import { expectInvalidGrant } from "../support/assertions";

async function successor(client: TestClient, token: string): Promise<string> {
  const response = await refresh(client, token);
  expect(response.status).toBe(200);
  return (await response.json<{ refresh_token: string }>()).refresh_token;
}

describe("refresh_token grant: binding to the client", () => {
  it("refuses another client's credentials with the current token and leaves the family exactly as it was", async () => {
    const owner = await registerClient();
    const stranger = await registerClient();
    const family = await startFamily(owner.client_id);
    const before = await readFamily(family.sid);

    await expectInvalidGrant(await refresh(stranger, family.tokens.refresh_token));

    expect(await readFamily(family.sid)).toEqual(before);
    expect((await refresh(owner, family.tokens.refresh_token)).status).toBe(200);
  });

  it("refuses another client with the retired token inside the window, and the owner's retry still replays", async () => {
    const owner = await registerClient();
    const stranger = await registerClient();
    const family = await startFamily(owner.client_id);
    const firstText = await (await refresh(owner, family.tokens.refresh_token)).text();
    const before = await readFamily(family.sid);

    await expectInvalidGrant(await refresh(stranger, family.tokens.refresh_token));

    expect(await readFamily(family.sid)).toEqual(before);
    const retry = await refresh(owner, family.tokens.refresh_token);
    expect(retry.status).toBe(200);
    expect(await retry.text()).toBe(firstText);
  });

  it("does not let another client revoke the family with a retired token after the window", async () => {
    const owner = await registerClient();
    const stranger = await registerClient();
    const family = await startFamily(owner.client_id);
    const current = await successor(owner, family.tokens.refresh_token);
    await ageFamily(family.sid, 31);
    const before = await readFamily(family.sid);

    await expectInvalidGrant(await refresh(stranger, family.tokens.refresh_token));

    expect(await readFamily(family.sid)).toEqual(before);
    expect((await refresh(owner, current)).status).toBe(200);
  });

  it("does not let another client revoke the family with a token two generations old", async () => {
    const owner = await registerClient();
    const stranger = await registerClient();
    const family = await startFamily(owner.client_id);
    const second = await successor(owner, family.tokens.refresh_token);
    const third = await successor(owner, second);
    const before = await readFamily(family.sid);

    await expectInvalidGrant(await refresh(stranger, family.tokens.refresh_token));

    expect(await readFamily(family.sid)).toEqual(before);
    expect((await refresh(owner, third)).status).toBe(200);
  });

  it("refuses another client asking for a narrower or a wider scope with invalid_grant, not invalid_scope", async () => {
    const owner = await registerClient();
    const stranger = await registerClient();
    const family = await startFamily(owner.client_id);
    const before = await readFamily(family.sid);

    await expectInvalidGrant(await refresh(stranger, family.tokens.refresh_token, { scope: "openid" }));
    await expectInvalidGrant(await refresh(stranger, family.tokens.refresh_token, { scope: "openid admin" }));

    expect(await readFamily(family.sid)).toEqual(before);
  });

  it("refuses a public client that presents a confidential client's token with its own id", async () => {
    const owner = await registerClient();
    const stranger = await registerClient({ token_endpoint_auth_method: "none" });
    const family = await startFamily(owner.client_id);
    const before = await readFamily(family.sid);

    await expectInvalidGrant(await refresh(stranger, family.tokens.refresh_token, {}, "none"));

    expect(await readFamily(family.sid)).toEqual(before);
  });

  it("does not let another client end an expired family; only the owner's presentation does", async () => {
    const owner = await registerClient();
    const stranger = await registerClient();
    const family = await startFamily(owner.client_id);
    await ageFamily(family.sid, 1_209_601);
    const before = await readFamily(family.sid);

    await expectInvalidGrant(await refresh(stranger, family.tokens.refresh_token));
    expect(await readFamily(family.sid)).toEqual(before);

    await expectInvalidGrant(await refresh(owner, family.tokens.refresh_token));
    expect(await readFamily(family.sid)).toBeUndefined();
  });
});
