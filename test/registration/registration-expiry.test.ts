/**
 * A dynamic registration that no login completes for ends after a week (the contract's storage
 * promises: what an unauthenticated request creates expires by itself); the first completed
 * login keeps it for good. Clients of the admin API never expire.
 */
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { UNCONFIRMED_REGISTRATION_TTL } from "../../src/clients/registry";
import type { TestClient } from "../support/clients";
import {
  LOGIN_URL,
  REDIRECT_URI,
  callWith,
  complete,
  completeLogin,
  runCodeFlow,
  startAuthorization,
} from "../support/code-flow";
import { storeWithoutClientKind } from "../support/device-records";
import { WEB_CLIENT_METADATA, admin, call, callerWith } from "../support/worker";

const open = callerWith({ DYNAMIC_REGISTRATION: "open" });

async function registerPublicClient(): Promise<TestClient> {
  const response = await open("/oauth2/register", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      redirect_uris: [REDIRECT_URI],
      grant_types: ["authorization_code", "refresh_token"],
      token_endpoint_auth_method: "none",
    }),
  });
  expect(response.status).toBe(201);
  return { client_id: ((await response.json()) as { client_id: string }).client_id };
}

function registry(clientId: string) {
  return env.CLIENT_REGISTRY.get(env.CLIENT_REGISTRY.idFromName(clientId));
}

/** The registry object's alarm, in ms since the epoch, or null. */
function alarmOf(clientId: string): Promise<number | null> {
  return runInDurableObject(registry(clientId), (_instance, state) => state.storage.getAlarm());
}

/** Moves the clock `seconds` ahead, as waiting would have; undone after each test. */
function waitSeconds(seconds: number): void {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(Date.now() + seconds * 1000);
}

async function exists(clientId: string): Promise<boolean> {
  const response = await admin("GET", `/admin/clients/${clientId}`);
  await response.body?.cancel();
  expect([200, 404]).toContain(response.status);
  return response.status === 200;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("dynamic registrations nobody signs in with", () => {
  it("are deleted a week after registering, and not a moment before", async () => {
    const registeredAt = Date.now();
    const client = await registerPublicClient();
    const alarm = await alarmOf(client.client_id);
    expect(alarm).not.toBeNull();
    expect(Math.abs(alarm! - (registeredAt + UNCONFIRMED_REGISTRATION_TTL * 1000))).toBeLessThan(5_000);

    // An alarm that fires early (as a retry may) deletes nothing and wakes again at the end.
    expect(await runDurableObjectAlarm(registry(client.client_id))).toBe(true);
    expect(await exists(client.client_id)).toBe(true);
    expect(await alarmOf(client.client_id)).toBe(alarm);

    waitSeconds(UNCONFIRMED_REGISTRATION_TTL + 1);
    expect(await runDurableObjectAlarm(registry(client.client_id))).toBe(true);
    expect(await exists(client.client_id)).toBe(false);
    expect(await env.CLIENTS.get(`client:${client.client_id}`)).toBeNull();
    expect(await alarmOf(client.client_id)).toBeNull();
  });

  it("are deleted too when the only login for them was denied", async () => {
    const client = await registerPublicClient();
    const started = await startAuthorization(client, { scope: "openid" });
    const denied = await admin("POST", `/admin/authorizations/${started.id}/deny`);
    expect(denied.status).toBe(200);
    await denied.body?.cancel();
    // An approval after the denial is refused, and does not keep the registration either.
    const late = await complete(started.id);
    expect(late.status).toBe(409);
    await late.body?.cancel();
    waitSeconds(UNCONFIRMED_REGISTRATION_TTL + 1);
    expect(await runDurableObjectAlarm(registry(client.client_id))).toBe(true);
    expect(await exists(client.client_id)).toBe(false);
  });
});

describe("dynamic registrations someone signed in with", () => {
  it("are kept after the week, and their tokens keep working", async () => {
    const client = await registerPublicClient();
    const { tokens } = await runCodeFlow(client);
    expect(tokens.refresh_token).toEqual(expect.any(String));
    waitSeconds(UNCONFIRMED_REGISTRATION_TTL + 1);
    // The alarm still fires as set; it finds the registration confirmed and leaves it.
    expect(await runDurableObjectAlarm(registry(client.client_id))).toBe(true);
    expect(await exists(client.client_id)).toBe(true);
    expect(await alarmOf(client.client_id)).toBeNull();
    const started = await startAuthorization(client, { scope: "openid" });
    expect((await completeLogin(started.id)).searchParams.get("code")).toEqual(expect.any(String));
  });
});

describe("a device client that registered itself", () => {
  /** Registers a device client openly and asks for a device authorization; its id and codes. */
  async function askAsDynamicDevice(): Promise<{ clientId: string; userCode: string; deviceCode: string }> {
    const registered = await open("/oauth2/register", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        client_name: "Living room TV",
        grant_types: ["urn:ietf:params:oauth:grant-type:device_code"],
        token_endpoint_auth_method: "none",
      }),
    });
    expect(registered.status).toBe(201);
    const { client_id: clientId } = (await registered.json()) as { client_id: string };
    const asked = await call("/oauth2/device_authorization", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ client_id: clientId, scope: "openid" }),
    });
    expect(asked.status).toBe(200);
    const { user_code: userCode, device_code: deviceCode } = (await asked.json()) as Record<string, string>;
    return { clientId, userCode: userCode!, deviceCode: deviceCode! };
  }

  /** Types the code at /device; the login hand-off's view of the request, and its id. */
  async function typeCode(userCode: string): Promise<{ id: string; view: Record<string, unknown> }> {
    const page = await callWith({ LOGIN_URL }, `/device?user_code=${userCode}`);
    expect(page.status).toBe(302);
    const id = new URL(page.headers.get("Location")!).searchParams.get("authorization_request")!;
    const view = await admin("GET", `/admin/authorizations/${id}`);
    return { id, view: await view.json() };
  }

  it("is shown as dynamic at its login, and kept once the person's approval is accepted", async () => {
    const { clientId, userCode } = await askAsDynamicDevice();
    const { id, view } = await typeCode(userCode);
    // The consent screen must be able to tell a self-registered device from a vetted one.
    expect(view).toMatchObject({ client_id: clientId, client_name: "Living room TV", client_kind: "dynamic" });
    const approved = await complete(id);
    expect(approved.status).toBe(200);
    await approved.body?.cancel();
    waitSeconds(UNCONFIRMED_REGISTRATION_TTL + 1);
    expect(await runDurableObjectAlarm(registry(clientId))).toBe(true);
    expect(await exists(clientId)).toBe(true);
  });

  it("is shown as dynamic too when its device authorization was stored without the kind", async () => {
    const { clientId, userCode, deviceCode } = await askAsDynamicDevice();
    await storeWithoutClientKind(deviceCode);
    const { view } = await typeCode(userCode);
    expect(view).toMatchObject({ client_id: clientId, client_kind: "dynamic" });
  });
});

describe("a login for a client that is gone", () => {
  it("gets no redirect when the client was deleted while the person signed in", async () => {
    const client = await registerPublicClient();
    const started = await startAuthorization(client, { scope: "openid" });
    const removed = await admin("DELETE", `/admin/clients/${client.client_id}`);
    expect(removed.status).toBe(204);
    const response = await complete(started.id);
    expect(response.status).toBe(404);
    await response.body?.cancel();
  });
});

describe("clients of the admin API", () => {
  it("never get an end", async () => {
    const response = await admin("POST", "/admin/clients", WEB_CLIENT_METADATA);
    expect(response.status).toBe(201);
    const { client_id: clientId } = (await response.json()) as { client_id: string };
    expect(await alarmOf(clientId)).toBeNull();
  });
});
