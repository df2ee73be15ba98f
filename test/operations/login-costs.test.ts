/**
 * What a login costs on Cloudflare's bill, counted on real requests in workerd (see
 * operation-costs.test.ts for the method): the authorization request, which stores nothing, the
 * host application's completion and the code exchange, with the client's record cached in the
 * isolate and not; the rows a login adds to its user's index, which grow with the user's
 * sessions; and the call a client's first completed login in an isolate adds to its registry
 * object.
 */
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerClient, type TestClient } from "../support/clients";
import { aliceLogin, authorizationQuery, expectLoginHandOff, runCodeFlow, sidOfRequest } from "../support/code-flow";
import { grantStub } from "../support/families";
import { ADMIN_TOKEN } from "../support/worker";
import {
  CLIENT_RECORD_STATES,
  clientRead,
  form,
  json,
  measured,
  meter,
  prepareClientRecord,
  usage,
} from "./cost-support";

let web: TestClient;

beforeAll(async () => {
  await meter.install();
  web = await registerClient();
  // A client's first completed login in an isolate also calls its registry object (the last
  // test): `web` has its first here, outside any measurement, so that the logins counted do not.
  await runCodeFlow(web);
});

afterAll(() => meter.uninstall());

describe.each(CLIENT_RECORD_STATES)("with the client record $cache in this isolate", ({ cold }) => {
  /** Makes the next request find `client`'s record in KV, or in this isolate's cache. */
  const prepareClient = (client: TestClient) => prepareClientRecord(client, cold);

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
