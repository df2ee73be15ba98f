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
 * @see https://developers.cloudflare.com/durable-objects/platform/pricing/
 * @see https://developers.cloudflare.com/workers/platform/pricing/
 */
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { forgetClient } from "../../src/clients/store";
import { registerClient, type TestClient } from "../support/clients";
import {
  LOGIN_URL,
  aliceLogin,
  authorizationQuery,
  expectLoginHandOff,
  runCodeFlow,
  sidOfRequest,
} from "../support/code-flow";
import { grantStub } from "../support/families";
import { OperationMeter, emptyUsage, type Usage } from "../support/operation-meter";
import { basicAuth } from "../support/token-requests";
import { newDpopKey, proof } from "../dpop/dpop-support";
import { ADMIN_TOKEN } from "../support/worker";

// Production's settings: LOG_LEVEL unset is "info", one line per request.
const meter = new OperationMeter({ LOGIN_URL, LOG_LEVEL: "" });

let web: TestClient;
let machine: TestClient;

beforeAll(async () => {
  await meter.install();
  web = await registerClient();
  machine = await registerClient({ grant_types: ["client_credentials"], redirect_uris: [], scope: "reports:read" });
});

afterAll(() => meter.uninstall());

/** What a request that touches nothing but the Worker costs: one request and its log line. */
const WORKER_ONLY: Usage = {
  ...emptyUsage(),
  workerRequests: 1,
  logLines: 1,
  logBytes: expect.any(Number) as number,
};

/** The usage of one Worker request, from the parts that differ from {@link WORKER_ONLY}. */
function usage(parts: Partial<Usage>): Usage {
  return { ...WORKER_ONLY, ...parts };
}

/** The client's record read from KV: once, when this isolate had not cached it. */
function clientRead(cold: boolean): Record<string, number> {
  return cold ? { get: 1 } : {};
}

function form(client: TestClient, params: Record<string, string>): RequestInit {
  return {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      Authorization: basicAuth(client.client_id, client.client_secret!),
    },
    body: new URLSearchParams(params),
  };
}

async function json(response: Response): Promise<Record<string, string>> {
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return JSON.parse(text) as Record<string, string>;
}

/** A live family of `web`'s, made outside any measurement, with its grant object registered. */
async function family(): Promise<{ sid: string; tokens: Record<string, string> }> {
  const { sid, tokens } = await runCodeFlow(web);
  await meter.register("Grant", grantStub(sid));
  return { sid, tokens: tokens as unknown as Record<string, string> };
}

/** Sends one request inside a measurement; its cost, and its response's JSON body. */
async function measured(path: string, init: RequestInit = {}): Promise<{ cost: Usage; body: Record<string, string> }> {
  let body: Record<string, string> = {};
  const cost = await meter.measure(async () => {
    body = await json(await meter.send(path, init));
  });
  return { cost, body };
}

describe.each([
  { cache: "not cached", cold: true },
  { cache: "cached", cold: false },
])("with the client record $cache in this isolate", ({ cold }) => {
  /** Makes the next request find `client`'s record in KV, or in this isolate's cache. */
  async function prepareClient(client: TestClient): Promise<void> {
    if (cold) forgetClient(client.client_id);
    // A request that reads the record (an unknown grant type: refused after authentication),
    // measured only to keep its log line out of the test's output.
    else
      await meter.measure(async () => {
        await meter.send("/oauth2/token", form(client, { grant_type: "urn:example:none" }));
      });
  }

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

  it("a login: authorize, the host application's completion and the code exchange", async () => {
    // A user of their own: the user's index starts empty.
    const subject = `user_${crypto.randomUUID()}`;
    const { query, codeVerifier } = await authorizationQuery(web);

    await prepareClient(web);
    let id = "";
    const authorize = await meter.measure(async () => {
      id = expectLoginHandOff(await meter.send(`/oauth2/authorize?${new URLSearchParams(query)}`));
    });
    // Nothing is stored: the pending request is sealed into its id.
    expect(authorize).toEqual(usage({ kv: clientRead(cold) }));

    const sid = await sidOfRequest(id);
    await meter.register("Grant", grantStub(sid));
    await meter.register("UserSessions", env.USER_SESSIONS.get(env.USER_SESSIONS.idFromName(subject)));
    const completion = await measured(`/admin/authorizations/${id}/complete`, {
      method: "POST",
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify(aliceLogin({ subject })),
    });
    // Three reads of an empty object (is it answered?) find no table and read no row; the code,
    // which carries the answered marker, is one row, the code's expiry alarm a second.
    expect(completion.cost).toEqual(
      usage({
        durableObjectRequests: { "Grant.completeAuthorization": 1 },
        storageCalls: { "Grant kv.get": 3, "Grant kv.put": 1, "Grant setAlarm": 1 },
        rowsWritten: { Grant: 2 },
      }),
    );

    const code = new URL(completion.body.redirect_to!).searchParams.get("code")!;
    await prepareClient(web);
    const exchange = await measured(
      "/oauth2/token",
      form(web, {
        grant_type: "authorization_code",
        code,
        redirect_uri: query.redirect_uri!,
        code_verifier: codeVerifier!,
      }),
    );
    expect(exchange.body.refresh_token).toMatch(/^rt_/);
    // The grant reads its code, consumes it (a delete: one row read and written), stores the
    // family and re-arms its alarm for the family's end; the user's index adds the grant.
    expect(exchange.cost).toEqual(
      usage({
        kv: clientRead(cold),
        durableObjectRequests: { "Grant.redeemCode": 1, "UserSessions.add": 1 },
        storageCalls: {
          "Grant kv.get": 2,
          "Grant kv.delete": 2,
          "Grant kv.put": 1,
          "Grant setAlarm": 1,
          "UserSessions kv.get": 1,
          "UserSessions kv.list": 1,
          "UserSessions kv.put": 1,
        },
        rowsRead: { Grant: 2 },
        rowsWritten: { Grant: 3, UserSessions: 1 },
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

describe("the rows a login adds to a user's index", () => {
  it("grow with the user's sessions: adding one reads each of the others", async () => {
    const subject = `user_${crypto.randomUUID()}`;
    await meter.register("UserSessions", env.USER_SESSIONS.get(env.USER_SESSIONS.idFromName(subject)));
    const rowsOfLogin = async () => {
      const { query, codeVerifier } = await authorizationQuery(web);
      let id = "";
      await meter.measure(async () => {
        id = expectLoginHandOff(await meter.send(`/oauth2/authorize?${new URLSearchParams(query)}`));
      });
      await meter.register("Grant", grantStub(await sidOfRequest(id)));
      const completion = await measured(`/admin/authorizations/${id}/complete`, {
        method: "POST",
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
        body: JSON.stringify(aliceLogin({ subject })),
      });
      const code = new URL(completion.body.redirect_to!).searchParams.get("code")!;
      const cost = await meter.measure(async () => {
        await json(
          await meter.send(
            "/oauth2/token",
            form(web, {
              grant_type: "authorization_code",
              code,
              redirect_uri: query.redirect_uri!,
              code_verifier: codeVerifier!,
            }),
          ),
        );
      });
      return { read: cost.rowsRead.UserSessions ?? 0, written: cost.rowsWritten.UserSessions ?? 0 };
    };
    expect(await rowsOfLogin()).toEqual({ read: 0, written: 1 });
    expect(await rowsOfLogin()).toEqual({ read: 1, written: 1 });
    expect(await rowsOfLogin()).toEqual({ read: 2, written: 1 });
  });
});

describe("a client's first completed login in an isolate", () => {
  it("adds one call to its registry object, which keeps a dynamic registration; the next login adds none", async () => {
    const client = await registerClient();
    await meter.register("ClientRegistry", env.CLIENT_REGISTRY.get(env.CLIENT_REGISTRY.idFromName(client.client_id)));
    const completionCost = async () => {
      const { query } = await authorizationQuery(client);
      let id = "";
      await meter.measure(async () => {
        id = expectLoginHandOff(await meter.send(`/oauth2/authorize?${new URLSearchParams(query)}`));
      });
      await meter.register("Grant", grantStub(await sidOfRequest(id)));
      const { cost } = await measured(`/admin/authorizations/${id}/complete`, {
        method: "POST",
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
        body: JSON.stringify(aliceLogin()),
      });
      return cost;
    };
    // Beside the grant's own work: a look for a registration's end as the registry object once
    // kept it (an admin client has none: no row), and two rows of the registry's copy read to
    // learn whether the client still exists.
    const grantWork = {
      storageCalls: { "Grant kv.get": 3, "Grant kv.put": 1, "Grant setAlarm": 1 },
      rowsWritten: { Grant: 2 },
    };
    expect(await completionCost()).toEqual(
      usage({
        ...grantWork,
        durableObjectRequests: { "Grant.completeAuthorization": 1, "ClientRegistry.confirm": 1 },
        storageCalls: { ...grantWork.storageCalls, "ClientRegistry kv.get": 3 },
        rowsRead: { ClientRegistry: 2 },
      }),
    );
    expect(await completionCost()).toEqual(
      usage({ ...grantWork, durableObjectRequests: { "Grant.completeAuthorization": 1 } }),
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
