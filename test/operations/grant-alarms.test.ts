/**
 * Each grant's alarm deletes its storage once its phase lapses: a pending authorization request
 * after 10 minutes, an unredeemed code after 60 seconds, a family when idle or at its absolute
 * end. Nothing sweeps. Time is injected by rewriting the stored times, and the alarm is run at once.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { CODE_KEY } from "../../src/grant/authorization-state";
import { FAMILY_KEY } from "../../src/grant/state";
import { registerClient, type TestClient } from "../support/clients";
import { aliceLogin, issueCode, redeem, runCodeFlow, startAuthorization } from "../support/code-flow";
import { ageFamily, grantStub, readFamily, startFamily } from "../support/families";
import { refresh } from "../support/token-requests";
import { admin } from "../support/worker";
import { expectFamilyLive, expectInvalidGrant, revoke } from "../revocation/endpoint-requests";

/** The marker an answered authorization request leaves in its grant's storage. */
const ANSWERED_KEY = "answered";
const AUTHORIZATION_TTL = 600;
const CODE_TTL = 60;
const ACCESS_TOKEN_TTL = 300;
const IDLE_TTL = 1_209_600;
const ABSOLUTE_TTL = 7_776_000;

let client: TestClient;

beforeAll(async () => {
  client = await registerClient();
});

/** What a grant object holds: its stored keys and its alarm. */
async function storageOf(sid: string): Promise<{ keys: string[]; alarm: number | null }> {
  return runInDurableObject(grantStub(sid), async (_instance, state) => ({
    keys: [...state.storage.kv.list()].map(([key]) => key),
    alarm: await state.storage.getAlarm(),
  }));
}

/** Moves every stored time of the entry under `key` back by `seconds`. */
async function agePhase(sid: string, key: string, seconds: number): Promise<void> {
  await runInDurableObject(grantStub(sid), (_instance, state) => {
    const entry = state.storage.kv.get<Record<string, unknown>>(key);
    expect(entry).toBeDefined();
    const aged = { ...entry };
    for (const field of ["createdAt", "expiresAt", "lastUsedAt"]) {
      if (typeof aged[field] === "number") aged[field] = (aged[field] as number) - seconds;
    }
    state.storage.kv.put(key, aged);
  });
}

async function expectEmpty(sid: string): Promise<void> {
  expect(await storageOf(sid)).toEqual({ keys: [], alarm: null });
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

describe("grant alarms: a pending authorization request", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("stores nothing and sets no alarm while the request waits for its answer", async () => {
    const started = await startAuthorization(client);

    expect(await storageOf(started.sid)).toEqual({ keys: [], alarm: null });
  });

  it("keeps the marker a denied request leaves until the request would have expired, then deletes it", async () => {
    const started = await startAuthorization(client);
    const { expires_at: expiresAt } = await (
      await admin("GET", `/admin/authorizations/${started.id}`)
    ).json<{
      expires_at: number;
    }>();
    expect((await admin("POST", `/admin/authorizations/${started.id}/deny`)).status).toBe(200);
    expect(await storageOf(started.sid)).toEqual({ keys: [ANSWERED_KEY], alarm: expiresAt * 1000 });

    // Early, the alarm keeps the marker; at the request's expiry it goes.
    expect(await runDurableObjectAlarm(grantStub(started.sid))).toBe(true);
    expect((await storageOf(started.sid)).keys).toEqual([ANSWERED_KEY]);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(expiresAt * 1000);
    expect(await runDurableObjectAlarm(grantStub(started.sid))).toBe(true);

    await expectEmpty(started.sid);
  });

  it("keeps a completed request answered after its code lapses, so it never gets a second code", async () => {
    const issued = await issueCode(client);
    await agePhase(issued.sid, CODE_KEY, CODE_TTL + 1);

    expect(await runDurableObjectAlarm(grantStub(issued.sid))).toBe(true);

    const left = await storageOf(issued.sid);
    expect(left.keys).toEqual([ANSWERED_KEY]);
    expect(left.alarm! - Date.now()).toBeGreaterThan((AUTHORIZATION_TTL - CODE_TTL - 10) * 1000);
    expect((await admin("POST", `/admin/authorizations/${issued.id}/complete`, aliceLogin())).status).toBe(409);
  });
});

describe("grant alarms: an unredeemed code", () => {
  it("is set to wake the object when the code expires", async () => {
    const issued = await issueCode(client);
    const code = await runInDurableObject(grantStub(issued.sid), (_instance, state) =>
      state.storage.kv.get<{ expiresAt: number }>(CODE_KEY),
    );

    expect(code!.expiresAt - nowSeconds()).toBeLessThanOrEqual(CODE_TTL);
    expect(code!.expiresAt - nowSeconds()).toBeGreaterThan(CODE_TTL - 5);
    expect(await storageOf(issued.sid)).toEqual({ keys: [CODE_KEY], alarm: code!.expiresAt * 1000 });
  });

  it("deletes the code once it has lapsed, and the code is refused", async () => {
    const issued = await issueCode(client);
    await agePhase(issued.sid, CODE_KEY, CODE_TTL + 1);

    expect(await runDurableObjectAlarm(grantStub(issued.sid))).toBe(true);

    expect((await storageOf(issued.sid)).keys).toEqual([ANSWERED_KEY]);
    await expectInvalidGrant(await redeem(client, issued));
  });

  it("keeps a code that has not lapsed, which can still be redeemed", async () => {
    const issued = await issueCode(client);

    expect(await runDurableObjectAlarm(grantStub(issued.sid))).toBe(true);

    expect((await storageOf(issued.sid)).keys).toEqual([CODE_KEY]);
    expect((await redeem(client, issued)).status).toBe(200);
  });
});

describe("grant alarms: a token family", () => {
  it("deletes everything once the family has sat idle past REFRESH_IDLE_TTL", async () => {
    const family = await startFamily(client.client_id);
    await ageFamily(family.sid, IDLE_TTL + 1);

    expect(await runDurableObjectAlarm(grantStub(family.sid))).toBe(true);

    await expectEmpty(family.sid);
    await expectInvalidGrant(await refresh(client, family.tokens.refresh_token));
  });

  it("deletes everything once the family reaches REFRESH_ABSOLUTE_TTL, though recently used", async () => {
    const family = await startFamily(client.client_id);
    await runInDurableObject(grantStub(family.sid), (_instance, state) => {
      const stored = state.storage.kv.get<Record<string, number>>(FAMILY_KEY)!;
      state.storage.kv.put(FAMILY_KEY, { ...stored, createdAt: nowSeconds() - ABSOLUTE_TTL - 1 });
    });

    expect(await runDurableObjectAlarm(grantStub(family.sid))).toBe(true);

    await expectEmpty(family.sid);
  });

  it("deletes a family without refresh tokens once its access tokens have expired", async () => {
    const family = await startFamily(client.client_id, { scope: "openid profile" });
    expect(await storageOf(family.sid)).toEqual({
      keys: [FAMILY_KEY],
      alarm: ((await readFamily(family.sid))!.createdAt + ACCESS_TOKEN_TTL) * 1000,
    });
    await ageFamily(family.sid, ACCESS_TOKEN_TTL + 1);

    expect(await runDurableObjectAlarm(grantStub(family.sid))).toBe(true);

    await expectEmpty(family.sid);
  });

  it("keeps a family that is not yet due and wakes again at its end", async () => {
    const family = await startFamily(client.client_id);
    await ageFamily(family.sid, IDLE_TTL - 3600);
    const before = await readFamily(family.sid);

    expect(await runDurableObjectAlarm(grantStub(family.sid))).toBe(true);

    expect(await readFamily(family.sid)).toEqual(before);
    const after = await storageOf(family.sid);
    expect(after).toEqual({ keys: [FAMILY_KEY], alarm: (before!.lastUsedAt + IDLE_TTL) * 1000 });
    expect(after.alarm!).toBeGreaterThan(Date.now());
    await expectFamilyLive(client, family.tokens);
  });

  it("replaces the code's alarm with the family's when the code is redeemed", async () => {
    const { sid } = await runCodeFlow(client);
    const family = await readFamily(sid);

    expect(await storageOf(sid)).toEqual({
      keys: [FAMILY_KEY],
      alarm: (family!.lastUsedAt + IDLE_TTL) * 1000,
    });
  });
});

describe("grant alarms: ended grants leave nothing behind", () => {
  it("leaves no storage and no alarm after a revocation", async () => {
    const family = await startFamily(client.client_id);

    await revoke(client, family.tokens.refresh_token);

    await expectEmpty(family.sid);
  });

  it("leaves no storage and no alarm after the admin API revokes the grant", async () => {
    const family = await startFamily(client.client_id);

    expect((await admin("POST", `/admin/grants/${family.sid}/revoke`)).status).toBe(204);

    await expectEmpty(family.sid);
  });

  it("leaves no storage and no alarm after a refresh token reuse", async () => {
    const family = await startFamily(client.client_id);
    await expectFamilyLive(client, family.tokens);
    await ageFamily(family.sid, 31);

    await expectInvalidGrant(await refresh(client, family.tokens.refresh_token));

    await expectEmpty(family.sid);
  });

  it("leaves only the answered marker, until its request's expiry, after a code is redeemed twice", async () => {
    const issued = await issueCode(client);
    expect((await redeem(client, issued)).status).toBe(200);

    await expectInvalidGrant(await redeem(client, issued));

    const left = await storageOf(issued.sid);
    expect(left.keys).toEqual([ANSWERED_KEY]);
    expect(left.alarm).toBeGreaterThan(Date.now());
  });

  it("finds nothing to do when the alarm of an ended grant runs", async () => {
    const family = await startFamily(client.client_id);
    await grantStub(family.sid).revoke();

    expect(await runDurableObjectAlarm(grantStub(family.sid))).toBe(false);
    await expectEmpty(family.sid);
  });
});
