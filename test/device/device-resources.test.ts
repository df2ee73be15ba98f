/**
 * Resource indicators (RFC 8707) at the device code grant: a poll's `resource` names the first
 * access token's audience and must be one of the device authorization's; a refused one is
 * `invalid_target` and spends nothing, so the device still gets its tokens once, and its family
 * keeps every resource of the device for the refresh tokens.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { expectError } from "../http/support-token-endpoint";
import { expectInvalidGrant } from "../support/assertions";
import type { TestClient } from "../support/clients";
import { aliceLogin, complete, jwtPayload } from "../support/code-flow";
import { refresh } from "../support/token-requests";
import { askDevice, later, poll, registerDeviceClient, typeCode } from "./device-requests";

const MCP = "https://mcp.example.com/mcp";
const API = "https://api.example.com/";
const NOT_GRANTED = "https://not-granted.example/";
const INVALID_TARGET = {
  status: 400,
  error: "invalid_target",
  description: "The requested resource is not valid or not allowed here.",
};

let tv: TestClient;

beforeAll(async () => {
  tv = await registerDeviceClient("openid profile offline_access");
});

afterEach(() => {
  vi.useRealTimers();
});

/** A device authorization for `resources`, approved by alice, ready to be polled. */
async function approvedDevice(resources: string[]): Promise<string> {
  const device = await askDevice(tv, {}, resources);
  expect((await complete(await typeCode(device.user_code), aliceLogin())).status).toBe(200);
  later(6);
  return device.device_code;
}

async function tokensOf(response: Response): Promise<Record<string, string>> {
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return JSON.parse(text);
}

describe("the device code grant with resource", () => {
  it("refuses a resource the device was not granted with invalid_target, and still answers a good poll once", async () => {
    const deviceCode = await approvedDevice([MCP]);

    await expectError(await poll(deviceCode, tv, [NOT_GRANTED]), INVALID_TARGET);
    await expectError(await poll(deviceCode, tv, [MCP, NOT_GRANTED]), INVALID_TARGET);

    const tokens = await tokensOf(await poll(deviceCode, tv, [MCP]));
    expect(jwtPayload(tokens.access_token!)).toMatchObject({ sub: "user_alice", aud: MCP });
    await expectInvalidGrant(await poll(deviceCode, tv, [MCP]));
  });

  it("narrows the first access token to the resource named, and keeps all of the device's for the refresh", async () => {
    const deviceCode = await approvedDevice([MCP, API]);

    const tokens = await tokensOf(await poll(deviceCode, tv, [API]));
    expect(jwtPayload(tokens.access_token!).aud).toBe(API);

    const refreshed = await tokensOf(await refresh(tv, tokens.refresh_token!));
    expect(jwtPayload(refreshed.access_token!).aud).toEqual([MCP, API]);
  });

  it("gives the token the device's spelling of a resource named in another form", async () => {
    const deviceCode = await approvedDevice([MCP]);

    const tokens = await tokensOf(await poll(deviceCode, tv, ["HTTPS://MCP.Example.com:443/mcp"]));
    expect(jwtPayload(tokens.access_token!).aud).toBe(MCP);
  });

  it("refuses any resource for a device that asked for none", async () => {
    const deviceCode = await approvedDevice([]);

    await expectError(await poll(deviceCode, tv, [MCP]), INVALID_TARGET);
    expect(jwtPayload((await tokensOf(await poll(deviceCode, tv))).access_token!).aud).toBe(tv.client_id);
  });

  it("refuses a resource that is no valid indicator with invalid_target, before the device code is looked at", async () => {
    await expectError(await poll(`dc_${"A".repeat(86)}`, tv, ["http://public.example/"]), INVALID_TARGET);
    await expectError(await poll(`dc_${"A".repeat(86)}`, tv, [`${MCP}#fragment`]), INVALID_TARGET);
  });

  it("refuses a resource not granted before the approval too, after the interval's slow_down", async () => {
    const device = await askDevice(tv, {}, [MCP]);

    // Too soon is too soon, whatever the poll asks for.
    expect((await (await poll(device.device_code, tv, [NOT_GRANTED])).json<{ error: string }>()).error).toBe(
      "slow_down",
    );
    later(11);
    await expectError(await poll(device.device_code, tv, [NOT_GRANTED]), INVALID_TARGET);
    later(11);
    expect((await (await poll(device.device_code, tv, [MCP])).json<{ error: string }>()).error).toBe(
      "authorization_pending",
    );

    await complete(await typeCode(device.user_code), aliceLogin());
    later(11);
    expect(jwtPayload((await tokensOf(await poll(device.device_code, tv, [MCP]))).access_token!).aud).toBe(MCP);
  });
});
