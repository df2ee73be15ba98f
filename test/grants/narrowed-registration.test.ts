/**
 * A code redeemed after its client's registration was narrowed: the redirect URI taken off, or
 * the scope cut, while the login or the code waited (or a device's approval). The code then
 * starts nothing, so an operator who removes a compromised redirect URI, or a scope, is obeyed
 * at once.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { expectInvalidGrant } from "../support/assertions";
import { registerClient } from "../support/clients";
import { issueCode, redeem } from "../support/code-flow";
import { admin } from "../support/worker";
import { refresh } from "../support/token-requests";
import { expectTokens } from "../http/support-token-endpoint";
import { aliceLogin, complete } from "../support/code-flow";
import { askDevice, later, poll, registerDeviceClient, typeCode } from "../device/device-requests";

afterEach(() => {
  vi.useRealTimers();
});

const OLD = "https://old.example/cb";
const NEW = "https://new.example/cb";

describe("a code whose registration was narrowed while it waited", () => {
  it("is refused at a redirect URI no longer registered", async () => {
    const client = await registerClient({ redirect_uris: [OLD, NEW] });
    const issued = await issueCode(client, { redirectUri: OLD });
    const narrowed = await admin("PATCH", `/admin/clients/${client.client_id}`, { redirect_uris: [NEW] });
    expect(narrowed.status).toBe(200);

    await expectInvalidGrant(await redeem(client, issued));
  });

  it("still ends its family when it is replayed after redemption at a redirect URI taken off since", async () => {
    const client = await registerClient({ redirect_uris: [OLD, NEW] });
    const issued = await issueCode(client, { redirectUri: OLD });
    const first = await (await redeem(client, issued)).json<{ refresh_token: string }>();
    expect((await admin("PATCH", `/admin/clients/${client.client_id}`, { redirect_uris: [NEW] })).status).toBe(200);

    await expectInvalidGrant(await redeem(client, issued));
    // The replay was seen as reuse of the code: its family is over.
    await expectInvalidGrant(await refresh(client, first.refresh_token));
  });

  it("is refused when its scope is no longer all allowed, and taken while it is", async () => {
    const client = await registerClient({ scope: "openid email offline_access" });
    const cut = await issueCode(client, { scope: "openid email" });
    const kept = await issueCode(client, { scope: "openid" });
    expect(
      (await admin("PATCH", `/admin/clients/${client.client_id}`, { scope: "openid offline_access" })).status,
    ).toBe(200);

    await expectInvalidGrant(await redeem(client, cut));
    await expectTokens(await redeem(client, kept));
  });

  it("is refused for a device approved before its scope was cut", async () => {
    const tv = await registerDeviceClient("openid offline_access profile");
    const device = await askDevice(tv);
    expect((await complete(await typeCode(device.user_code), aliceLogin())).status).toBe(200);
    const narrowed = await admin("PATCH", `/admin/clients/${tv.client_id}`, { scope: "openid profile" });
    expect(narrowed.status).toBe(200);
    later(6);

    await expectInvalidGrant(await poll(device.device_code, tv));
  });
});
