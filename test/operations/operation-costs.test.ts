/**
 * What one operation costs on Cloudflare's bill, counted on real requests in workerd: Worker
 * requests, Durable Object requests (calls on stubs, by class and method), rows read and written
 * in the objects' SQLite storage, Workers KV operations, outbound fetches and log lines (see
 * test/support/operation-meter.ts for how each is counted). A change that adds a KV read, a
 * Durable Object round trip or a storage row to one of these paths fails here: a regression guard
 * on the bill, not a timing test.
 *
 * Client records are cached per isolate for 30 seconds (src/clients/store.ts), so each operation
 * is counted twice: with the record not cached (the isolate's first request for that client, or
 * the first after 30 s) and cached.
 *
 * Here: a refresh and a client_credentials request, each with a DPoP proof and without, a
 * revocation, an introspection and a userinfo request, and the meter's own row counts; what a
 * login costs is in login-costs.test.ts.
 *
 * @see https://developers.cloudflare.com/durable-objects/platform/pricing/
 * @see https://developers.cloudflare.com/workers/platform/pricing/
 */
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerClient, type TestClient } from "../support/clients";
import { aliceLogin, runCodeFlow } from "../support/code-flow";
import { grantStub } from "../support/families";
import type { Usage } from "../support/operation-meter";
import { newDpopKey, proof } from "../dpop/dpop-support";
import { CLIENT_RECORD_STATES, clientRead, form, measured, meter, prepareClientRecord, usage } from "./cost-support";

let web: TestClient;
let machine: TestClient;

beforeAll(async () => {
  await meter.install();
  web = await registerClient();
  machine = await registerClient({ grant_types: ["client_credentials"], redirect_uris: [], scope: "reports:read" });
});

afterAll(() => meter.uninstall());

/** A live family of `web`'s, made outside any measurement, with its grant object registered. */
async function family(): Promise<{ sid: string; tokens: Record<string, string> }> {
  const { sid, tokens } = await runCodeFlow(web);
  await meter.register("Grant", grantStub(sid));
  return { sid, tokens: tokens as unknown as Record<string, string> };
}

describe.each(CLIENT_RECORD_STATES)("with the client record $cache in this isolate", ({ cold }) => {
  /** Makes the next request find `client`'s record in KV, or in this isolate's cache. */
  const prepareClient = (client: TestClient) => prepareClientRecord(client, cold);

  /** What a refresh costs, with a DPoP proof or without: one object call, one row each way. */
  function refreshCost(): Usage {
    return usage({
      kv: clientRead(cold),
      durableObjectRequests: { "Grant.refresh": 1 },
      storageCalls: { "Grant kv.get": 1, "Grant kv.put": 1 },
      rowsRead: { Grant: 1 },
      rowsWritten: { Grant: 1 },
    });
  }

  it("a refresh is one Grant call that reads one row and writes one", async () => {
    const { tokens } = await family();
    await prepareClient(web);
    const { cost, body } = await measured(
      "/oauth2/token",
      form(web, { grant_type: "refresh_token", refresh_token: tokens.refresh_token! }),
    );
    expect(body.refresh_token).toMatch(/^rt_/);
    expect(cost).toEqual(refreshCost());
  });

  it("a revocation ends the family in one Grant call and tells its user's index", async () => {
    // A user of their own, so that the index holds this family alone.
    const subject = `user_${crypto.randomUUID()}`;
    const { sid, tokens } = await runCodeFlow(web, {}, aliceLogin({ subject }));
    await meter.register("Grant", grantStub(sid));
    await meter.register("UserSessions", env.USER_SESSIONS.get(env.USER_SESSIONS.idFromName(subject)));
    await prepareClient(web);
    const cost = await meter.measure(async () => {
      const response = await meter.send("/oauth2/revoke", form(web, { token: tokens.refresh_token! }));
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    });
    // The family is read once (the answered marker's own key and the code miss), one deleteAll()
    // takes it and its alarm, with no deleteAlarm() beside it (it counts the rows first: one read).
    // The login's request could still be answered, so its marker and its alarm are written back.
    expect(cost).toEqual(
      usage({
        kv: clientRead(cold),
        durableObjectRequests: { "Grant.revokeWithRefreshToken": 1, "UserSessions.remove": 1 },
        storageCalls: {
          "Grant kv.get": 3,
          "Grant deleteAll": 1,
          "Grant kv.put": 1,
          "Grant setAlarm": 1,
          "UserSessions kv.delete": 1,
        },
        rowsRead: { Grant: 2, UserSessions: 1 },
        rowsWritten: { Grant: 2, UserSessions: 1 },
      }),
    );
  });

  it("a client_credentials request touches no Durable Object", async () => {
    await prepareClient(machine);
    const { cost, body } = await measured("/oauth2/token", form(machine, { grant_type: "client_credentials" }));
    expect(body.access_token).toBeDefined();
    expect(cost).toEqual(usage({ kv: clientRead(cold) }));
  });

  it("a client_credentials request with a DPoP proof adds one ClientRegistry call, to keep the proof's jti", async () => {
    const client = await registerClient({ grant_types: ["client_credentials"], redirect_uris: [], scope: "jobs" });
    await meter.register("ClientRegistry", env.CLIENT_REGISTRY.get(env.CLIENT_REGISTRY.idFromName(client.client_id)));
    const key = await newDpopKey();
    const request = async () => {
      await prepareClient(client);
      const init = form(client, { grant_type: "client_credentials" });
      (init.headers as Record<string, string>).DPoP = await proof(key);
      const { cost, body } = await measured("/oauth2/token", init);
      expect(body.token_type).toBe("DPoP");
      return cost;
    };
    // The object's first proof creates the table of kept ids and its index, counts the ids once
    // (SELECT count(*)) and arms the alarm that prunes them; after that, a proof is a prune, a
    // lookup and an insert (a row and its index entry).
    expect(await request()).toEqual(
      usage({
        kv: clientRead(cold),
        durableObjectRequests: { "ClientRegistry.useAssertionId": 1 },
        storageCalls: { "ClientRegistry sql.exec": 6, "ClientRegistry getAlarm": 1, "ClientRegistry setAlarm": 1 },
        rowsRead: { ClientRegistry: 6 },
        rowsWritten: { ClientRegistry: 6 },
      }),
    );
    expect(await request()).toEqual(
      usage({
        kv: clientRead(cold),
        durableObjectRequests: { "ClientRegistry.useAssertionId": 1 },
        storageCalls: { "ClientRegistry sql.exec": 3, "ClientRegistry getAlarm": 1 },
        rowsRead: { ClientRegistry: 3 },
        rowsWritten: { ClientRegistry: 2 },
      }),
    );
  });

  it("a refresh with a DPoP proof costs what a plain one does: the proof's jti goes into the same write", async () => {
    const { tokens } = await family();
    await prepareClient(web);
    const init = form(web, { grant_type: "refresh_token", refresh_token: tokens.refresh_token! });
    (init.headers as Record<string, string>).DPoP = await proof(await newDpopKey());
    const { cost, body } = await measured("/oauth2/token", init);
    expect(body.token_type).toBe("DPoP");
    expect(cost).toEqual(refreshCost());
  });

  it("an access token's introspection asks its grant once and reads one row", async () => {
    const { tokens } = await family();
    await prepareClient(web);
    const { cost, body } = await measured("/oauth2/introspection", form(web, { token: tokens.access_token! }));
    expect(body.active).toBe(true);
    // The token's client is the caller: its record is read once.
    expect(cost).toEqual(
      usage({
        kv: clientRead(cold),
        durableObjectRequests: { "Grant.session": 1 },
        storageCalls: { "Grant kv.get": 1 },
        rowsRead: { Grant: 1 },
      }),
    );
  });

  it("a machine token's introspection touches no Durable Object and reads its revocation mark from KV", async () => {
    const { body: issued } = await measured("/oauth2/token", form(machine, { grant_type: "client_credentials" }));
    await prepareClient(machine);
    const { cost, body } = await measured("/oauth2/introspection", form(machine, { token: issued.access_token! }));
    expect(body.active).toBe(true);
    expect(cost).toEqual(usage({ kv: { get: (clientRead(cold).get ?? 0) + 1 } }));
  });

  it("a machine token's revocation writes one KV entry, once, and touches no Durable Object", async () => {
    const { body: issued } = await measured("/oauth2/token", form(machine, { grant_type: "client_credentials" }));
    await prepareClient(machine);
    const cost = await meter.measure(async () => {
      const response = await meter.send("/oauth2/revoke", form(machine, { token: issued.access_token! }));
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    });
    expect(cost).toEqual(usage({ kv: { ...clientRead(cold), put: 1 } }));
    // Again, as a retry would: KV takes one write a second per key, and none is needed.
    await prepareClient(machine);
    const again = await meter.measure(async () => {
      const response = await meter.send("/oauth2/revoke", form(machine, { token: issued.access_token! }));
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    });
    expect(again).toEqual(usage({ kv: clientRead(cold) }));
  });

  it("userinfo asks the grant once and reads one row", async () => {
    const { tokens } = await family();
    await prepareClient(web);
    const { cost, body } = await measured("/oauth2/userinfo", {
      headers: { Authorization: `Bearer ${tokens.access_token}` },
    });
    expect(body.sub).toBe("user_alice");
    expect(cost).toEqual(
      usage({
        kv: clientRead(cold),
        durableObjectRequests: { "Grant.session": 1 },
        storageCalls: { "Grant kv.get": 1 },
        rowsRead: { Grant: 1 },
      }),
    );
  });
});

describe("the meter's row counts", () => {
  it("are those of the key-value API's statements: a hit reads one row, a write writes one", async () => {
    const stub = env.USER_SESSIONS.get(env.USER_SESSIONS.idFromName(`calibration-${crypto.randomUUID()}`));
    await meter.register("Scratch", stub);
    const step = (work: (storage: DurableObjectStorage) => unknown) =>
      meter.measure(async () => {
        await runInDurableObject(stub, async (_instance, state) => {
          await work(state.storage);
        });
      });
    const rows = (cost: Usage) => ({ read: cost.rowsRead.Scratch ?? 0, written: cost.rowsWritten.Scratch ?? 0 });
    expect(rows(await step((storage) => storage.kv.get("absent")))).toEqual({ read: 0, written: 0 });
    expect(rows(await step((storage) => storage.kv.put("a", { value: 1 })))).toEqual({ read: 0, written: 1 });
    expect(rows(await step((storage) => storage.kv.put("a", { value: 2 })))).toEqual({ read: 0, written: 1 });
    expect(rows(await step((storage) => storage.kv.get("a")))).toEqual({ read: 1, written: 0 });
    expect(rows(await step((storage) => storage.kv.get("absent")))).toEqual({ read: 0, written: 0 });
    expect(rows(await step((storage) => storage.kv.delete("absent")))).toEqual({ read: 0, written: 0 });
    expect(rows(await step((storage) => storage.kv.delete("a")))).toEqual({ read: 1, written: 1 });
    expect(rows(await step((storage) => storage.setAlarm(Date.now() + 60_000)))).toEqual({ read: 0, written: 1 });
    expect(rows(await step((storage) => storage.deleteAlarm()))).toEqual({ read: 0, written: 0 });
  });
});
