/**
 * A dynamic registration that no login completes for ends after a week (the contract's storage
 * promises: what an unauthenticated request creates expires by itself); the first completed
 * login keeps it for good. Clients of the admin API never expire. A registration is one KV
 * record that expires by itself, with no object behind it until something changes it.
 */
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { UNCONFIRMED_REGISTRATION_TTL } from "../../src/clients/register";
import type { ClientRecord } from "../../src/clients/record";
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

/** The registry object's alarm (ms since the epoch, or null) and what it stores. */
function objectOf(clientId: string): Promise<{ alarm: number | null; keys: string[] }> {
  return runInDurableObject(registry(clientId), async (_instance, state) => ({
    alarm: await state.storage.getAlarm(),
    keys: [...state.storage.kv.list()].map(([key]) => key),
  }));
}

/** When KV deletes the client's record by itself (seconds), or undefined for never. */
async function kvExpiration(clientId: string): Promise<number | undefined> {
  const { keys } = await env.CLIENTS.list({ prefix: `client:${clientId}` });
  expect(keys.map((key) => key.name)).toEqual([`client:${clientId}`]);
  return keys[0]!.expiration;
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
  it("are one KV record that expires a week after registering, and no object", async () => {
    const registeredAt = Math.floor(Date.now() / 1000);
    const client = await registerPublicClient();
    const expiration = await kvExpiration(client.client_id);
    expect(Math.abs(expiration! - (registeredAt + UNCONFIRMED_REGISTRATION_TTL))).toBeLessThanOrEqual(5);
    expect(await objectOf(client.client_id)).toEqual({ alarm: null, keys: [] });
  });

  it("are gone from the second the week ends, and not a moment before", async () => {
    const client = await registerPublicClient();
    waitSeconds(UNCONFIRMED_REGISTRATION_TTL - 30);
    expect(await exists(client.client_id)).toBe(true);
    vi.setSystemTime(Date.now() + 31_000);
    expect(await exists(client.client_id)).toBe(false);
    // The hot paths agree: the authorization endpoint no longer knows the client.
    const url = `/oauth2/authorize?${new URLSearchParams({ client_id: client.client_id, redirect_uri: REDIRECT_URI, response_type: "code", code_challenge: "x".repeat(43), code_challenge_method: "S256" })}`;
    const authorize = await callWith({ LOGIN_URL }, url);
    expect(authorize.status).toBe(400);
    await authorize.body?.cancel();
  });

  it("are gone too when the only login for them was denied", async () => {
    const client = await registerPublicClient();
    const started = await startAuthorization(client, { scope: "openid" });
    const denied = await admin("POST", `/admin/authorizations/${started.id}/deny`);
    expect(denied.status).toBe(200);
    await denied.body?.cancel();
    // An approval after the denial is refused, and does not keep the registration either.
    const late = await complete(started.id);
    expect(late.status).toBe(409);
    await late.body?.cancel();
    expect(await kvExpiration(client.client_id)).toEqual(expect.any(Number));
    waitSeconds(UNCONFIRMED_REGISTRATION_TTL + 1);
    expect(await exists(client.client_id)).toBe(false);
  });

  it("keep their end through an admin change, and the object that adopted them deletes its copy then", async () => {
    const client = await registerPublicClient();
    const expiration = await kvExpiration(client.client_id);
    const patched = await admin("PATCH", `/admin/clients/${client.client_id}`, { client_name: "Renamed" });
    expect(patched.status).toBe(200);
    const shown = (await patched.json()) as Record<string, unknown>;
    expect(shown).toMatchObject({ client_name: "Renamed", client_kind: "dynamic" });
    expect(shown).not.toHaveProperty("unconfirmed_until");
    expect(await kvExpiration(client.client_id)).toBe(expiration);
    expect((await objectOf(client.client_id)).alarm).toBe(expiration! * 1000);

    waitSeconds(UNCONFIRMED_REGISTRATION_TTL + 1);
    expect(await exists(client.client_id)).toBe(false);
    expect(await runDurableObjectAlarm(registry(client.client_id))).toBe(true);
    expect(await env.CLIENTS.get(`client:${client.client_id}`)).toBeNull();
    expect(await objectOf(client.client_id)).toEqual({ alarm: null, keys: ["owned"] });
  });
});

describe("dynamic registrations someone signed in with", () => {
  it("are kept after the week, with no end in KV, and their tokens keep working", async () => {
    const client = await registerPublicClient();
    const { tokens } = await runCodeFlow(client);
    expect(tokens.refresh_token).toEqual(expect.any(String));
    expect(await kvExpiration(client.client_id)).toBeUndefined();
    const kept = (await env.CLIENTS.get<ClientRecord>(`client:${client.client_id}`, "json"))!;
    expect(kept.client_kind).toBe("dynamic");
    expect(kept).not.toHaveProperty("unconfirmed_until");
    expect((await objectOf(client.client_id)).alarm).toBeNull();
    waitSeconds(UNCONFIRMED_REGISTRATION_TTL + 1);
    expect(await exists(client.client_id)).toBe(true);
    const started = await startAuthorization(client, { scope: "openid" });
    expect((await completeLogin(started.id)).searchParams.get("code")).toEqual(expect.any(String));
  });

  it("are never brought back by a login completed while an admin deletes them", async () => {
    const client = await registerPublicClient();
    const started = await Promise.all([1, 2, 3, 4].map(() => startAuthorization(client, { scope: "openid" })));
    const [removed, ...completed] = await Promise.all([
      admin("DELETE", `/admin/clients/${client.client_id}`),
      ...started.map((login) => complete(login.id)),
    ]);
    expect(removed!.status).toBe(204);
    for (const response of completed) {
      expect([200, 404]).toContain(response.status);
      await response.body?.cancel();
    }
    // Whichever came first, the delete is the last word: no copy anywhere.
    expect(await exists(client.client_id)).toBe(false);
    expect(await env.CLIENTS.get(`client:${client.client_id}`)).toBeNull();
  });
});

describe("a registration made when the registry object created it", () => {
  /** A dynamic client stored the way its registry object once did: its own copy, a marker, an alarm. */
  async function legacyRegistration(): Promise<string> {
    const { client_id: clientId } = await registerPublicClient();
    const { unconfirmed_until: until, ...record } = (await env.CLIENTS.get<ClientRecord>(
      `client:${clientId}`,
      "json",
    ))!;
    await env.CLIENTS.put(`client:${clientId}`, JSON.stringify(record));
    await runInDurableObject(registry(clientId), async (_instance, state) => {
      state.storage.kv.put("owned", true);
      state.storage.kv.put("record", record);
      state.storage.kv.put("unconfirmed", { clientId, until });
      await state.storage.setAlarm(until! * 1000);
    });
    return clientId;
  }

  it("still ends at its alarm when nobody signed in with it", async () => {
    const clientId = await legacyRegistration();
    // An alarm that fires early (as a retry may) deletes nothing and wakes again at the end.
    const alarm = (await objectOf(clientId)).alarm;
    expect(await runDurableObjectAlarm(registry(clientId))).toBe(true);
    expect(await exists(clientId)).toBe(true);
    expect((await objectOf(clientId)).alarm).toBe(alarm);
    waitSeconds(UNCONFIRMED_REGISTRATION_TTL + 1);
    expect(await runDurableObjectAlarm(registry(clientId))).toBe(true);
    expect(await exists(clientId)).toBe(false);
    expect(await env.CLIENTS.get(`client:${clientId}`)).toBeNull();
    expect((await objectOf(clientId)).alarm).toBeNull();
  });

  it("is kept for good once a login completes", async () => {
    const clientId = await legacyRegistration();
    await runCodeFlow({ client_id: clientId });
    waitSeconds(UNCONFIRMED_REGISTRATION_TTL + 1);
    expect(await runDurableObjectAlarm(registry(clientId))).toBe(true);
    expect(await exists(clientId)).toBe(true);
    expect((await objectOf(clientId)).alarm).toBeNull();
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
    expect(await kvExpiration(clientId)).toBeUndefined();
    waitSeconds(UNCONFIRMED_REGISTRATION_TTL + 1);
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

  it("gets no redirect when the registration ended while the person signed in", async () => {
    const client = await registerPublicClient();
    const started = await startAuthorization(client, { scope: "openid" });
    waitSeconds(UNCONFIRMED_REGISTRATION_TTL + 1);
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
    expect((await objectOf(clientId)).alarm).toBeNull();
    expect(await kvExpiration(clientId)).toBeUndefined();
  });
});
