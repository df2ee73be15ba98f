/**
 * "Sign out everywhere" and the device flow: an approval is the device's login, so one given
 * before the sign-out starts no session when the device polls after it, and one given right
 * after it (the same second, a millisecond later) does.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { expectInvalidGrant } from "../support/assertions";
import type { TestClient } from "../support/clients";
import { aliceLogin, complete } from "../support/code-flow";
import { admin } from "../support/worker";
import { askDevice, poll, registerDeviceClient, typeCode } from "../device/device-requests";

let tv: TestClient;

beforeAll(async () => {
  tv = await registerDeviceClient();
});

afterEach(() => {
  vi.useRealTimers();
});

/** A device authorization approved for `subject`, with the clock at `at` (ms) for the approval. */
async function approvedDevice(subject: string, at: number): Promise<string> {
  const device = await askDevice(tv);
  const id = await typeCode(device.user_code);
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(at);
  expect((await complete(id, aliceLogin({ subject }))).status).toBe(200);
  return device.device_code;
}

function signOut(subject: string): Promise<Response> {
  return admin("POST", `/admin/users/${encodeURIComponent(subject)}/revoke`);
}

describe("sign out everywhere and device approvals", () => {
  it("starts no session from an approval given before the sign-out", async () => {
    const subject = `user_${crypto.randomUUID()}`;
    const second = Math.floor(Date.now() / 1000) + 1;
    const deviceCode = await approvedDevice(subject, second * 1000 + 100);
    vi.setSystemTime(second * 1000 + 200);
    expect((await signOut(subject)).status).toBe(204);
    vi.setSystemTime(Date.now() + 6000);

    await expectInvalidGrant(await poll(deviceCode, tv));
  });

  it("starts one from an approval given a millisecond after it, in the same second", async () => {
    const subject = `user_${crypto.randomUUID()}`;
    const second = Math.floor(Date.now() / 1000) + 1;
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(second * 1000 + 100);
    expect((await signOut(subject)).status).toBe(204);
    const deviceCode = await approvedDevice(subject, second * 1000 + 101);
    vi.setSystemTime(Date.now() + 6000);

    const response = await poll(deviceCode, tv);

    expect(response.status, await response.clone().text()).toBe(200);
  });
});
