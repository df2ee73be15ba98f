/**
 * A device authorization after its `expires_in` (RFC 8628 §3.5): its grant's object keeps the
 * record ten minutes more, so that a late poll learns `expired_token`, then its alarm forgets
 * it; meanwhile nothing else takes the record for a live one. The hand-off a person opened at
 * /device ends with the device code, not ten minutes after the visit.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { sidOfDeviceCode } from "../../src/device/codes";
import { expectError } from "../http/support-token-endpoint";
import { expectInvalidGrant } from "../support/assertions";
import type { TestClient } from "../support/clients";
import { LOGIN_URL, aliceLogin, callWith, complete } from "../support/code-flow";
import { grantStub } from "../support/families";
import { admin } from "../support/worker";
import { askDevice, later, poll, registerDeviceClient, typeCode } from "./device-requests";

const DEVICE_TTL = 600;
const GRACE = 600;
const EXPIRED_TOKEN = { status: 400, error: "expired_token", description: "The device code has expired; start again." };
const NOT_PENDING = { error: "not_found", error_description: "No such pending authorization request." };

let tv: TestClient;

beforeAll(async () => {
  tv = await registerDeviceClient();
});

afterEach(() => {
  vi.useRealTimers();
});

/** What the device's grant object holds: its stored keys and its alarm (ms). */
async function storageOf(deviceCode: string): Promise<{ keys: string[]; alarm: number | null }> {
  return runInDurableObject(grantStub(sidOfDeviceCode(deviceCode)!), async (_instance, state) => ({
    keys: [...state.storage.kv.list()].map(([key]) => key),
    alarm: await state.storage.getAlarm(),
  }));
}

/** Runs the device's grant object's alarm now, as the runtime would at its time. */
async function runAlarm(deviceCode: string): Promise<void> {
  expect(await runDurableObjectAlarm(grantStub(sidOfDeviceCode(deviceCode)!))).toBe(true);
}

/** Fixes the clock at a whole second, so that times read back can be compared exactly. */
function frozenAt(seconds: number): number {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(seconds * 1000);
  return seconds;
}

describe("an expired device authorization", () => {
  it("answers expired_token once its alarm has run at expires_in, and invalid_grant after the grace", async () => {
    const issuedAt = frozenAt(Math.floor(Date.now() / 1000));
    const device = await askDevice(tv);
    expect(await storageOf(device.device_code)).toEqual({
      keys: ["device"],
      alarm: (issuedAt + DEVICE_TTL + GRACE) * 1000,
    });

    later(DEVICE_TTL + 1);
    await runAlarm(device.device_code);
    await expectError(await poll(device.device_code, tv), EXPIRED_TOKEN);
    expect(await storageOf(device.device_code)).toEqual({
      keys: ["device"],
      alarm: (issuedAt + DEVICE_TTL + GRACE) * 1000,
    });

    later(GRACE);
    await runAlarm(device.device_code);
    expect(await storageOf(device.device_code)).toEqual({ keys: [], alarm: null });
    await expectInvalidGrant(await poll(device.device_code, tv));
  });

  it("gives an approval that no poll collected in time no tokens: expired_token", async () => {
    const device = await askDevice(tv);
    expect((await complete(await typeCode(device.user_code), aliceLogin())).status).toBe(200);

    later(DEVICE_TTL + 1);
    await runAlarm(device.device_code);
    await expectError(await poll(device.device_code, tv), EXPIRED_TOKEN);
  });

  it("is no longer pending for the /device page, the admin hand-off, its complete or its deny", async () => {
    const device = await askDevice(tv);
    const id = await typeCode(device.user_code);

    later(DEVICE_TTL + 1);
    await runAlarm(device.device_code);
    const page = await callWith({ LOGIN_URL }, `/device?user_code=${device.user_code}`);
    expect(page.status).toBe(400);
    expect(await page.text()).toContain("That code is not valid");
    for (const [method, path] of [
      ["GET", `/admin/authorizations/${id}`],
      ["POST", `/admin/authorizations/${id}/deny`],
    ] as const) {
      const response = await admin(method, path);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual(NOT_PENDING);
    }
    const completed = await complete(id, aliceLogin());
    expect(completed.status).toBe(404);
    expect(await completed.json()).toEqual(NOT_PENDING);
    await expectError(await poll(device.device_code, tv), EXPIRED_TOKEN);
  });
});

describe("the hand-off of a device authorization", () => {
  it("expires with the device code, not ten minutes after the person's visit", async () => {
    const issuedAt = frozenAt(Math.floor(Date.now() / 1000));
    const device = await askDevice(tv);
    later(300);
    const id = await typeCode(device.user_code);

    const view = await (await admin("GET", `/admin/authorizations/${id}`)).json<{ expires_at: number }>();
    expect(view.expires_at).toBe(issuedAt + DEVICE_TTL);

    // Between the device code's end and the visit's ten minutes, the request is gone.
    later(DEVICE_TTL - 300);
    expect((await admin("GET", `/admin/authorizations/${id}`)).status).toBe(404);
    expect((await complete(id, aliceLogin())).status).toBe(404);
  });
});
