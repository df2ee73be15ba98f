/**
 * Rule 3 of the refresh_token grant: any presentation of a retired token other than a retry
 * inside the window proves the family leaked, so the whole family is revoked.
 *
 * @see RFC 9700 §4.14.2
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { registerClient, type TestClient } from "../support/clients";
import { ageFamily, grantStub, readFamily, startFamily } from "../support/families";
import { refresh } from "../support/token-requests";
import { call } from "../support/worker";
import { INVALID_GRANT } from "../support/assertions";

async function expectInvalidGrant(response: Response) {
  expect(response.status).toBe(400);
  expect(response.headers.get("Content-Type")).toBe("application/json");
  expect(response.headers.get("Cache-Control")).toBe("no-store");
  expect(response.headers.get("Pragma")).toBe("no-cache");
  expect(response.headers.has("WWW-Authenticate")).toBe(false);
  expect(await response.json()).toEqual(INVALID_GRANT);
}

/** Rotates `times` times and returns every token of the chain, oldest first. */
async function rotate(client: TestClient, first: string, times: number): Promise<string[]> {
  const chain = [first];
  for (let i = 0; i < times; i++) {
    const response = await refresh(client, chain.at(-1)!);
    expect(response.status).toBe(200);
    chain.push((await response.json<{ refresh_token: string }>()).refresh_token);
  }
  return chain;
}

describe("refresh_token grant: reuse detection", () => {
  it("refuses the retired token after the retry window and revokes the whole family", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const [retired, current] = await rotate(client, family.tokens.refresh_token, 1);
    await ageFamily(family.sid, 31);

    await expectInvalidGrant(await refresh(client, retired!));

    expect(await readFamily(family.sid)).toBeUndefined();
    await expectInvalidGrant(await refresh(client, current!));
  });

  it("treats the retired token as reuse once its successor was used, even inside the window", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const [first, , third] = await rotate(client, family.tokens.refresh_token, 2);

    await expectInvalidGrant(await refresh(client, first!));

    expect(await readFamily(family.sid)).toBeUndefined();
    await expectInvalidGrant(await refresh(client, third!));
  });

  it.each([0, 1, 2, 3])("revokes the family when generation %i returns after generation 5 is current", async (old) => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const chain = await rotate(client, family.tokens.refresh_token, 5);

    await expectInvalidGrant(await refresh(client, chain[old]!));

    expect(await readFamily(family.sid)).toBeUndefined();
    for (const token of chain) await expectInvalidGrant(await refresh(client, token));
  });

  it("kills the tokens of a replayed answer along with the rest of the family", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const [retired, current] = await rotate(client, family.tokens.refresh_token, 1);
    const replay = await (await refresh(client, retired!)).json<{ refresh_token: string }>();
    expect(replay.refresh_token).toBe(current);
    await ageFamily(family.sid, 31);

    await expectInvalidGrant(await refresh(client, retired!));

    await expectInvalidGrant(await refresh(client, replay.refresh_token));
  });

  it("ends the family's access tokens too: userinfo refuses them once the family is revoked", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const response = await refresh(client, family.tokens.refresh_token);
    const { access_token: accessToken } = await response.json<{ access_token: string }>();
    const userinfo = () => call("/oauth2/userinfo", { headers: { Authorization: `Bearer ${accessToken}` } });
    expect((await userinfo()).status).toBe(200);
    await ageFamily(family.sid, 31);

    await expectInvalidGrant(await refresh(client, family.tokens.refresh_token));

    const refused = await userinfo();
    expect(refused.status).toBe(401);
    expect(refused.headers.get("WWW-Authenticate")).toBe('Bearer error="invalid_token"');
    expect(await refused.json()).toEqual({
      error: "invalid_token",
      error_description: "The access token is invalid, expired or revoked.",
    });
  });

  it("stops the family's alarm and leaves no state behind once revoked for reuse", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const [retired] = await rotate(client, family.tokens.refresh_token, 1);
    await ageFamily(family.sid, 31);

    await expectInvalidGrant(await refresh(client, retired!));

    const left = await runInDurableObject(grantStub(family.sid), async (_instance, state) => ({
      keys: [...state.storage.kv.list()].map(([key]) => key),
      alarm: await state.storage.getAlarm(),
    }));
    expect(left).toEqual({ keys: [], alarm: null });
  });

  it("keeps refusing every token of a revoked family, without reviving it", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const [retired, current] = await rotate(client, family.tokens.refresh_token, 1);
    await ageFamily(family.sid, 31);
    await expectInvalidGrant(await refresh(client, retired!));

    await expectInvalidGrant(await refresh(client, retired!));
    await expectInvalidGrant(await refresh(client, current!));
    await expectInvalidGrant(await refresh(client, current!));
    expect(await readFamily(family.sid)).toBeUndefined();
  });

  it("revokes only the family that leaked, not the user's other families", async () => {
    const client = await registerClient();
    const leaked = await startFamily(client.client_id);
    const other = await startFamily(client.client_id);
    const [retired] = await rotate(client, leaked.tokens.refresh_token, 1);
    await ageFamily(leaked.sid, 31);

    await expectInvalidGrant(await refresh(client, retired!));

    expect((await refresh(client, other.tokens.refresh_token)).status).toBe(200);
  });

  it("still detects reuse when the retired token comes back asking for a scope beyond the grant", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const [retired, current] = await rotate(client, family.tokens.refresh_token, 1);
    await ageFamily(family.sid, 31);

    await expectInvalidGrant(await refresh(client, retired!, { scope: "openid admin" }));

    expect(await readFamily(family.sid)).toBeUndefined();
    await expectInvalidGrant(await refresh(client, current!));
  });
});
