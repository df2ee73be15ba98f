/**
 * A dynamic registration that no login completes for ends after a week (the contract's storage
 * promises: what an unauthenticated request creates expires by itself); the first completed
 * login keeps it for good. Clients of the admin API never expire. A registration is one KV
 * record that expires by itself, with no object behind it until something changes it.
 */
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { UNCONFIRMED_REGISTRATION_TTL } from "../../src/clients/register";
import type { ClientRecord } from "../../src/clients/record";
import {
  LOGIN_URL,
  authorizationQuery,
  authorize,
  callWith,
  complete,
  completeLogin,
  runCodeFlow,
  startAuthorization,
} from "../support/code-flow";
import { storeWithoutClientKind } from "../support/device-records";
import { refresh } from "../support/token-requests";
import { WEB_CLIENT_METADATA, admin, call } from "../support/worker";
import {
  exists,
  kvExpiration,
  objectOf,
  open,
  registerPublicClient,
  registry,
  storedRecord,
  waitSeconds,
} from "./registration-support";

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

  it("are gone from the second the week ends, and not a moment before, cached or not", async () => {
    const client = await registerPublicClient();
    const until = (await storedRecord(client.client_id)).unconfirmed_until!;
    const query = await authorizationQuery(client, { scope: "openid" });
    const authorizeStatus = async () => {
      const response = await authorize(query.query);
      await response.body?.cancel();
      return response.status;
    };
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime((until - 5) * 1000);
    // A login hand-off, and the record now in this isolate's cache for up to 30 s.
    expect(await authorizeStatus()).toBe(302);
    expect(await exists(client.client_id)).toBe(true);
    vi.setSystemTime(until * 1000);
    expect(await authorizeStatus()).toBe(400);
    expect(await exists(client.client_id)).toBe(false);
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

  it("keep their end through an admin change, and the object that adopted them is deleted then", async () => {
    const client = await registerPublicClient();
    const expiration = await kvExpiration(client.client_id);
    const patched = await admin("PATCH", `/admin/clients/${client.client_id}`, { client_name: "Renamed" });
    expect(patched.status).toBe(200);
    const shown = (await patched.json()) as Record<string, unknown>;
    expect(shown).toMatchObject({ client_name: "Renamed", client_kind: "dynamic" });
    expect(shown).not.toHaveProperty("unconfirmed_until");
    const until = (await storedRecord(client.client_id)).unconfirmed_until!;
    expect(Math.abs(expiration! - until)).toBeLessThanOrEqual(2);
    expect(Math.abs((await kvExpiration(client.client_id))! - until)).toBeLessThanOrEqual(2);
    expect((await objectOf(client.client_id)).alarm).toBe(until * 1000);

    waitSeconds(UNCONFIRMED_REGISTRATION_TTL + 1);
    expect(await exists(client.client_id)).toBe(false);
    expect(await runDurableObjectAlarm(registry(client.client_id))).toBe(true);
    expect(await env.CLIENTS.get(`client:${client.client_id}`)).toBeNull();
    expect(await objectOf(client.client_id)).toEqual({ alarm: null, keys: [] });
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
    const refreshed = await refresh(client, tokens.refresh_token!);
    expect(refreshed.status).toBe(200);
    await refreshed.body?.cancel();
    const started = await startAuthorization(client, { scope: "openid" });
    expect((await completeLogin(started.id)).searchParams.get("code")).toEqual(expect.any(String));
  });

  it("are never brought back by a KV copy left after an admin deleted them", async () => {
    const client = await registerPublicClient();
    const stale = await env.CLIENTS.get(`client:${client.client_id}`);
    const started = await startAuthorization(client, { scope: "openid" });
    const removed = await admin("DELETE", `/admin/clients/${client.client_id}`);
    expect(removed.status).toBe(204);
    // As another location's KV may still hold it for a while.
    await env.CLIENTS.put(`client:${client.client_id}`, stale!);
    const response = await complete(started.id);
    expect(response.status).toBe(404);
    await response.body?.cancel();
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
    // The request is begun five minutes before the end (it lives ten), and completed after it.
    waitSeconds(UNCONFIRMED_REGISTRATION_TTL - 300);
    const started = await startAuthorization(client, { scope: "openid" });
    vi.setSystemTime(Date.now() + 301_000);
    const response = await complete(started.id);
    expect(response.status).toBe(404);
    await response.body?.cancel();
  });
});

describe("the registration's end", () => {
  it("is never shown: not by the admin API's read or list", async () => {
    const client = await registerPublicClient();
    const read = await admin("GET", `/admin/clients/${client.client_id}`);
    expect(read.status).toBe(200);
    const shown = (await read.json()) as Record<string, unknown>;
    expect(shown.client_kind).toBe("dynamic");
    expect(shown).not.toHaveProperty("unconfirmed_until");
    const listed = await admin("GET", "/admin/clients?limit=1000");
    const { clients } = (await listed.json()) as { clients: Record<string, unknown>[] };
    const mine = clients.find((one) => one.client_id === client.client_id);
    expect(mine).toBeDefined();
    expect(mine).not.toHaveProperty("unconfirmed_until");
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
