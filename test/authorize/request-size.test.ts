/**
 * An authorization request is sealed into the id the login page receives, and an id too long to
 * open again would leave a login nobody can answer: so a request whose parts, each within its
 * own bound, add up to more is refused at once, with an error redirect to the client, or at
 * /oauth2/device_authorization with invalid_request.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { registerClient, type TestClient } from "../support/clients";
import { authorizationQuery, authorize, expectErrorRedirect, expectLoginHandOff } from "../support/code-flow";
import { admin } from "../support/worker";
import { LOGIN_URL, callWith } from "../support/code-flow";
import { askDevice, registerDeviceClient } from "../device/device-requests";
import { env, listDurableObjectIds } from "cloudflare:test";
import { readConfig } from "../../src/config";
import { displayUserCode, hashDeviceCode, newDeviceCode, newUserCode } from "../../src/device/codes";
import { userCodeFor } from "../../src/device/locate";
import { grantFor } from "../../src/grant/locate";
import { newSid } from "../../src/grant/sid";
import { serverKeys } from "../../src/secrets/server-keys";
import { call } from "../support/worker";

function deviceBody(client: TestClient, resources: string[]): URLSearchParams {
  const body = new URLSearchParams({ client_id: client.client_id, scope: "openid" });
  for (const resource of resources) body.append("resource", resource);
  return body;
}

let client: TestClient;

beforeAll(async () => {
  client = await registerClient({ token_endpoint_auth_method: "none" });
});

/** `count` resource indicators of nearly 2,000 characters each, the longest one may be. */
function longResources(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `https://r${i}.example.com/${"p".repeat(1970)}`);
}

async function ask(resources: string[]): Promise<Response> {
  const { query } = await authorizationQuery(client, { state: "s-size" });
  const params = new URLSearchParams(query);
  for (const resource of resources) params.append("resource", resource);
  return authorize(params);
}

describe("the size of an authorization request", () => {
  it("hands a large request that still fits to the login, and its id opens", async () => {
    const id = expectLoginHandOff(await ask(longResources(5)));

    expect((await admin("GET", `/admin/authorizations/${id}`)).status).toBe(200);
  });

  it("refuses one whose id would be too long to open, with invalid_request at the client", async () => {
    expectErrorRedirect(await ask(longResources(6)), {
      error: "invalid_request",
      description: "The authorization request is too large.",
      state: "s-size",
    });
  });

  it("refuses a device authorization that asks for as much, before it keeps anything", async () => {
    const tv = await registerDeviceClient();
    const fits = await askDevice(tv, {}, longResources(5));
    const before = await listDurableObjectIds(env.GRANTS);

    const refused = await call("/oauth2/device_authorization", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: deviceBody(tv, longResources(7)),
    });

    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({
      error: "invalid_request",
      error_description: "The device authorization request is too large.",
    });
    expect(new Set(await listDurableObjectIds(env.GRANTS))).toEqual(new Set(before));
    expect((await callWith({ LOGIN_URL }, `/device?user_code=${fits.user_code}`)).status).toBe(302);
  });

  it("shows the person at /device a page saying so for a device asked for before that check", async () => {
    const config = readConfig(env);
    const now = Math.floor(Date.now() / 1000);
    const sid = await newSid(await serverKeys(config));
    const userCode = newUserCode();
    expect(await userCodeFor(env, config, userCode).claim(sid, now + 600, now)).toBe(true);
    const begun = await grantFor(env, config, sid).beginDevice({
      sid,
      clientId: "tv-of-an-older-version",
      clientKind: "registered",
      scope: ["openid"],
      resources: longResources(7),
      deviceCodeHash: await hashDeviceCode(newDeviceCode(sid)),
      userCode,
      createdAt: now,
      expiresAt: now + 600,
      refreshAllowed: false,
      status: "pending",
    });
    expect(begun).toBe(true);

    const refused = await callWith({ LOGIN_URL }, `/device?user_code=${displayUserCode(userCode)}`);

    expect(refused.status).toBe(400);
    expect(refused.headers.get("Location")).toBeNull();
    expect(await refused.text()).toContain("This request is too large");
  });
});
