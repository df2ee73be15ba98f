/**
 * A dynamic registration's registry object: made only when something needs it, and gone when
 * nothing is left in it. A login completed where KV does not show the record yet keeps its
 * code, and the object adopts the record later; an object that only kept expired assertion ids
 * is deleted whole; registrations that the object itself created, as Baton once did, still end
 * at its alarm and are kept by a login.
 */
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { UNCONFIRMED_REGISTRATION_TTL } from "../../src/clients/register";
import type { ClientRecord } from "../../src/clients/record";
import type { TestClient } from "../support/clients";
import { complete, runCodeFlow, startAuthorization } from "../support/code-flow";
import { admin } from "../support/worker";
import {
  exists,
  kvExpiration,
  objectOf,
  registerPublicClient,
  registry,
  storedRecord,
  waitSeconds,
} from "./registration-support";

afterEach(() => {
  vi.useRealTimers();
});

/** A login begun for a new registration, completed where KV shows no record for it. */
async function completeUnseen(): Promise<{ client: TestClient; stored: string }> {
  const client = await registerPublicClient();
  const started = await startAuthorization(client, { scope: "openid" });
  const stored = (await env.CLIENTS.get(`client:${client.client_id}`))!;
  // As KV at the object's location may not have it yet, a moment after it was written elsewhere.
  await env.CLIENTS.delete(`client:${client.client_id}`);
  const response = await complete(started.id);
  expect(response.status).toBe(200);
  await response.body?.cancel();
  return { client, stored };
}

describe("a login completed where KV does not show the registration yet", () => {
  it("keeps the login, and its object adopts the record once KV shows it", async () => {
    const { client, stored } = await completeUnseen();
    const before = await objectOf(client.client_id);
    expect(before.keys).toEqual(["adoption"]);
    expect(before.alarm).toBeGreaterThan(Date.now() + 55_000);
    await env.CLIENTS.put(`client:${client.client_id}`, stored);
    waitSeconds(61);
    expect(await runDurableObjectAlarm(registry(client.client_id))).toBe(true);
    expect(await kvExpiration(client.client_id)).toBeUndefined();
    expect(await storedRecord(client.client_id)).not.toHaveProperty("unconfirmed_until");
    expect(await objectOf(client.client_id)).toEqual({ alarm: null, keys: ["owned", "record"] });
    vi.setSystemTime(Date.now() + UNCONFIRMED_REGISTRATION_TTL * 1000);
    expect(await exists(client.client_id)).toBe(true);
  });

  it("gives up after ten tries a minute apart, and holds nothing then", async () => {
    const { client } = await completeUnseen();
    vi.useFakeTimers({ toFake: ["Date"] });
    for (let tries = 1; tries <= 10; tries++) {
      expect((await objectOf(client.client_id)).keys).toEqual(["adoption"]);
      vi.setSystemTime(Date.now() + 61_000);
      expect(await runDurableObjectAlarm(registry(client.client_id))).toBe(true);
    }
    expect(await objectOf(client.client_id)).toEqual({ alarm: null, keys: [] });
  });
});

describe("a login and its registry object, when KV shows nothing", () => {
  it("gets no redirect when the registration ended and KV has forgotten it, and keeps nothing", async () => {
    const client = await registerPublicClient();
    waitSeconds(UNCONFIRMED_REGISTRATION_TTL - 300);
    const started = await startAuthorization(client, { scope: "openid" });
    vi.setSystemTime(Date.now() + 301_000);
    // As KV does by itself at the registration's end.
    await env.CLIENTS.delete(`client:${client.client_id}`);
    const response = await complete(started.id);
    expect(response.status).toBe(404);
    await response.body?.cancel();
    expect(await objectOf(client.client_id)).toEqual({ alarm: null, keys: [] });
  });

  it("never brings back a registration an admin deleted while its adoption was pending", async () => {
    const { client, stored } = await completeUnseen();
    const removed = await admin("DELETE", `/admin/clients/${client.client_id}`);
    expect(removed.status).toBe(204);
    // KV here catches up with the registration only now.
    await env.CLIENTS.put(`client:${client.client_id}`, stored);
    waitSeconds(61);
    await runDurableObjectAlarm(registry(client.client_id));
    expect(await exists(client.client_id)).toBe(false);
    expect((await objectOf(client.client_id)).keys).toEqual(["owned"]);
  });

  it("decides a login and an admin's delete one after the other: the delete is the last word", async () => {
    for (let round = 0; round < 5; round++) {
      const client = await registerPublicClient();
      const stub = registry(client.client_id);
      const [kept, removed] = await Promise.all([
        stub.confirm(client.client_id),
        stub.apply(client.client_id, { kind: "delete" }),
      ]);
      expect(kept).toBe(true);
      expect(removed.ok).toBe(true);
      expect(await env.CLIENTS.get(`client:${client.client_id}`)).toBeNull();
      expect(await exists(client.client_id)).toBe(false);
    }
  });
});

describe("an object that only kept assertion ids", () => {
  it("is deleted whole once they have expired, when it never owned a record", async () => {
    const client = await registerPublicClient();
    const expiresAt = Math.floor(Date.now() / 1000) + 120;
    expect(await registry(client.client_id).useAssertionId("a".repeat(43), expiresAt)).toEqual({ ok: true });
    const tables = () =>
      runInDurableObject(
        registry(client.client_id),
        (_instance, state) =>
          state.storage.sql
            .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'assertion_ids'")
            .toArray().length,
      );
    expect(await tables()).toBe(1);
    waitSeconds(121);
    expect(await runDurableObjectAlarm(registry(client.client_id))).toBe(true);
    expect(await tables()).toBe(0);
    expect(await objectOf(client.client_id)).toEqual({ alarm: null, keys: [] });
    // The registration itself is untouched: it is KV's, and still waiting for a login.
    expect(await exists(client.client_id)).toBe(true);
    // And the object keeps assertion ids again, in a table made anew.
    expect(await registry(client.client_id).useAssertionId("b".repeat(43), expiresAt + 300)).toEqual({ ok: true });
    expect(await registry(client.client_id).useAssertionId("b".repeat(43), expiresAt + 300)).toEqual({
      ok: false,
      reason: "replayed",
    });
  });

  it("keeps the mark of a deletion, so no stale KV copy brings the client back", async () => {
    const client = await registerPublicClient();
    const started = await startAuthorization(client, { scope: "openid" });
    const stale = (await env.CLIENTS.get(`client:${client.client_id}`))!;
    const expiresAt = Math.floor(Date.now() / 1000) + 120;
    expect(await registry(client.client_id).useAssertionId("c".repeat(43), expiresAt)).toEqual({ ok: true });
    const removed = await admin("DELETE", `/admin/clients/${client.client_id}`);
    expect(removed.status).toBe(204);
    waitSeconds(121);
    expect(await runDurableObjectAlarm(registry(client.client_id))).toBe(true);
    expect((await objectOf(client.client_id)).keys).toEqual(["owned"]);
    await env.CLIENTS.put(`client:${client.client_id}`, stale);
    const response = await complete(started.id);
    expect(response.status).toBe(404);
    await response.body?.cancel();
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

  it("is ended by a login completed after its end, when its alarm has not run yet", async () => {
    const clientId = await legacyRegistration();
    waitSeconds(UNCONFIRMED_REGISTRATION_TTL - 300);
    const started = await startAuthorization({ client_id: clientId }, { scope: "openid" });
    vi.setSystemTime(Date.now() + 301_000);
    const response = await complete(started.id);
    expect(response.status).toBe(404);
    await response.body?.cancel();
    expect(await exists(clientId)).toBe(false);
    expect(await env.CLIENTS.get(`client:${clientId}`)).toBeNull();
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
