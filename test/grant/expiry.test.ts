/**
 * Rule 7 of the refresh_token grant: a family ends when it sits unused too long, when it reaches
 * its absolute lifetime, or when it is revoked. Time is injected into the stored state.
 *
 * @see RFC 9700 §4.14.2 (refresh tokens SHOULD expire when idle)
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { FAMILY_KEY, type FamilyState } from "../../src/grant/state";
import { registerClient } from "../support/clients";
import { ageFamily, grantStub, readFamily, startFamily } from "../support/families";
import { refresh } from "../support/token-requests";
import { expectInvalidGrant } from "../support/assertions";

const IDLE_TTL = 1_209_600;
const ABSOLUTE_TTL = 7_776_000;

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Writes the family's two clocks directly, to move one of them without the other. */
async function setClocks(sid: string, clocks: { createdAt: number; lastUsedAt: number }): Promise<void> {
  await runInDurableObject(grantStub(sid), (_instance, state) => {
    const family = state.storage.kv.get<FamilyState>(FAMILY_KEY);
    expect(family).toBeDefined();
    state.storage.kv.put(FAMILY_KEY, { ...family!, ...clocks });
  });
}

function alarmOf(sid: string): Promise<number | null> {
  return runInDurableObject(grantStub(sid), (_instance, state) => state.storage.getAlarm());
}

describe("refresh_token grant: idle expiry", () => {
  it("refuses a token whose family sat unused longer than REFRESH_IDLE_TTL and ends the family", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    await ageFamily(family.sid, IDLE_TTL + 1);

    await expectInvalidGrant(await refresh(client, family.tokens.refresh_token));

    expect(await readFamily(family.sid)).toBeUndefined();
  });

  it("still refreshes a family unused for just under REFRESH_IDLE_TTL", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    await ageFamily(family.sid, IDLE_TTL - 60);

    expect((await refresh(client, family.tokens.refresh_token)).status).toBe(200);
  });

  it("restarts the idle clock at every refresh", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    await ageFamily(family.sid, IDLE_TTL - 60);
    const second = await (await refresh(client, family.tokens.refresh_token)).json<{ refresh_token: string }>();
    await ageFamily(family.sid, IDLE_TTL - 60);

    // Twice the idle lifetime since the start, but never idle that long.
    expect((await refresh(client, second.refresh_token)).status).toBe(200);
  });

  it("does not restart the idle clock on a replay", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    await refresh(client, family.tokens.refresh_token);
    const rotated = await readFamily(family.sid);

    expect((await refresh(client, family.tokens.refresh_token)).status).toBe(200);

    expect((await readFamily(family.sid))!.lastUsedAt).toBe(rotated!.lastUsedAt);
  });
});

describe("refresh_token grant: absolute expiry", () => {
  it("refuses a token past REFRESH_ABSOLUTE_TTL even when the family was used moments ago", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const now = nowSeconds();
    await setClocks(family.sid, { createdAt: now - ABSOLUTE_TTL - 1, lastUsedAt: now - 10 });

    await expectInvalidGrant(await refresh(client, family.tokens.refresh_token));

    expect(await readFamily(family.sid)).toBeUndefined();
  });

  it("refreshes just before REFRESH_ABSOLUTE_TTL and keeps counting from the original authorization", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const now = nowSeconds();
    const createdAt = now - ABSOLUTE_TTL + 60;
    await setClocks(family.sid, { createdAt, lastUsedAt: now - 10 });

    const response = await refresh(client, family.tokens.refresh_token);

    expect(response.status).toBe(200);
    expect((await readFamily(family.sid))!.createdAt).toBe(createdAt);
  });

  it("refuses the retired token of an expired family as well, inside what would be its retry window", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    await refresh(client, family.tokens.refresh_token);
    const now = nowSeconds();
    await setClocks(family.sid, { createdAt: now - ABSOLUTE_TTL - 1, lastUsedAt: now });

    await expectInvalidGrant(await refresh(client, family.tokens.refresh_token));
  });
});

describe("refresh_token grant: revoked families", () => {
  it("refuses every token of a revoked family", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const second = await (await refresh(client, family.tokens.refresh_token)).json<{ refresh_token: string }>();

    await grantStub(family.sid).revoke();

    expect(await readFamily(family.sid)).toBeUndefined();
    await expectInvalidGrant(await refresh(client, second.refresh_token));
    await expectInvalidGrant(await refresh(client, family.tokens.refresh_token));
  });

  it("revokes idempotently", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);

    await grantStub(family.sid).revoke();
    await grantStub(family.sid).revoke();

    await expectInvalidGrant(await refresh(client, family.tokens.refresh_token));
  });
});

describe("refresh_token grant: the end-of-life alarm", () => {
  it("sets the alarm for the earliest end at the start, leaves it through rotations, and re-arms it when it fires on a family still in use", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const started = await readFamily(family.sid);
    const firstEnd = (started!.lastUsedAt + IDLE_TTL) * 1000;
    expect(await alarmOf(family.sid)).toBe(firstEnd);

    // An hour later (injected through the clock the object reads).
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 3_600_000);
    try {
      expect((await refresh(client, family.tokens.refresh_token)).status).toBe(200);
    } finally {
      vi.useRealTimers();
    }

    // A rotation only moves the end later, so the early alarm stays: no storage write for it.
    const rotated = await readFamily(family.sid);
    expect(rotated!.lastUsedAt - started!.lastUsedAt).toBeGreaterThanOrEqual(3600);
    expect(await alarmOf(family.sid)).toBe(firstEnd);

    // When it fires before the family has lapsed, it keeps the family and re-arms for the new end.
    await runDurableObjectAlarm(grantStub(family.sid));
    expect(await readFamily(family.sid)).toEqual(rotated);
    expect(await alarmOf(family.sid)).toBe((rotated!.lastUsedAt + IDLE_TTL) * 1000);
  });

  it("deletes an expired family's state when the alarm fires", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    await ageFamily(family.sid, IDLE_TTL + 1);

    await runDurableObjectAlarm(grantStub(family.sid));

    expect(await readFamily(family.sid)).toBeUndefined();
    await expectInvalidGrant(await refresh(client, family.tokens.refresh_token));
  });

  it("keeps a live family when the alarm fires early, and sets it again", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const before = await readFamily(family.sid);

    await runDurableObjectAlarm(grantStub(family.sid));

    expect(await readFamily(family.sid)).toEqual(before);
    expect(await alarmOf(family.sid)).toBe((before!.lastUsedAt + IDLE_TTL) * 1000);
    expect((await refresh(client, family.tokens.refresh_token)).status).toBe(200);
  });
});
