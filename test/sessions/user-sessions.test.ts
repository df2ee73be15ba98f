/**
 * A user's sessions: listed by subject, ended all at once ("sign out everywhere"). The index is
 * written when a family starts and when it ends, never on a refresh.
 */
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { expectFamilyEnded, expectFamilyLive, expectInactive, introspect } from "../revocation/endpoint-requests";
import { registerClient } from "../support/clients";
import { aliceLogin, issueCode, redeem, runCodeFlow } from "../support/code-flow";
import { ageFamily } from "../support/families";
import { refresh } from "../support/token-requests";
import { admin } from "../support/worker";
import { expectInvalidGrant } from "../support/assertions";

afterEach(() => {
  vi.useRealTimers();
});

function subject(): string {
  return `user_${crypto.randomUUID()}`;
}

async function grantsOf(sub: string): Promise<Record<string, unknown>[]> {
  const response = await admin("GET", `/admin/users/${encodeURIComponent(sub)}/grants`);
  expect(response.status).toBe(200);
  return (await response.json<{ grants: Record<string, unknown>[] }>()).grants;
}

function indexStorage(sub: string) {
  const stub = env.USER_SESSIONS.get(env.USER_SESSIONS.idFromName(sub));
  return runInDurableObject(stub, (_instance, state) => [...state.storage.kv.list()]);
}

describe("a user's sessions", () => {
  it("lists each live session of a user with its client, scope and times, and nobody else's", async () => {
    const [web, mobile] = [await registerClient(), await registerClient()];
    const ada = subject();
    const one = await runCodeFlow(web, {}, aliceLogin({ subject: ada }));
    const two = await runCodeFlow(mobile, { scope: "openid offline_access" }, aliceLogin({ subject: ada }));
    await runCodeFlow(web, {}, aliceLogin({ subject: subject() }));

    const grants = await grantsOf(ada);

    expect(grants.sort((a, b) => String(a.sid).localeCompare(String(b.sid)))).toEqual(
      [
        { sid: one.sid, client_id: web.client_id, scope: "openid profile email offline_access" },
        { sid: two.sid, client_id: mobile.client_id, scope: "openid offline_access" },
      ]
        .map((grant) => ({
          ...grant,
          created_at: expect.any(Number),
          last_used_at: expect.any(Number),
          expires_at: expect.any(Number),
        }))
        .sort((a, b) => a.sid.localeCompare(b.sid)),
    );
  });

  it("answers an empty list for a subject nobody signed in as", async () => {
    expect(await grantsOf(subject())).toEqual([]);
  });

  it("takes a subject with any characters, percent-encoded in the path", async () => {
    const client = await registerClient();
    const odd = `auth0|user/${crypto.randomUUID()} é`;
    const flow = await runCodeFlow(client, {}, aliceLogin({ subject: odd }));

    expect((await grantsOf(odd)).map((grant) => grant.sid)).toEqual([flow.sid]);
  });

  it("leaves the index alone on a refresh, and shows the refresh in last_used_at", async () => {
    const client = await registerClient();
    const ada = subject();
    const flow = await runCodeFlow(client, {}, aliceLogin({ subject: ada }));
    await ageFamily(flow.sid, 120);
    const before = await indexStorage(ada);

    expect((await refresh(client, flow.tokens.refresh_token!)).status).toBe(200);

    expect(await indexStorage(ada)).toEqual(before);
    const [grant] = await grantsOf(ada);
    expect(grant!.last_used_at as number).toBeGreaterThan(grant!.created_at as number);
  });

  it("drops a session from the list once it is revoked", async () => {
    const client = await registerClient();
    const ada = subject();
    const flow = await runCodeFlow(client, {}, aliceLogin({ subject: ada }));

    expect((await admin("POST", `/admin/grants/${flow.sid}/revoke`)).status).toBe(204);

    expect(await grantsOf(ada)).toEqual([]);
    expect(await indexStorage(ada)).toEqual([]);
  });

  it("drops a session that lapsed without telling the index", async () => {
    const client = await registerClient();
    const ada = subject();
    const flow = await runCodeFlow(client, {}, aliceLogin({ subject: ada }));
    await ageFamily(flow.sid, 15 * 86_400);

    expect(await grantsOf(ada)).toEqual([]);
  });

  it("leaves out a session whose client was deleted, and lists the user's others", async () => {
    const [doomed, kept] = [await registerClient(), await registerClient()];
    const ada = subject();
    await runCodeFlow(doomed, {}, aliceLogin({ subject: ada }));
    await runCodeFlow(doomed, {}, aliceLogin({ subject: ada }));
    const other = await runCodeFlow(kept, {}, aliceLogin({ subject: ada }));

    expect((await admin("DELETE", `/admin/clients/${doomed.client_id}`)).status).toBe(204);

    expect((await grantsOf(ada)).map((grant) => grant.sid)).toEqual([other.sid]);
  });
});

describe("signing a user out everywhere", () => {
  it("ends every session of the user at once, and only that user's", async () => {
    const [web, mobile] = [await registerClient(), await registerClient()];
    const ada = subject();
    const one = await runCodeFlow(web, {}, aliceLogin({ subject: ada }));
    const two = await runCodeFlow(mobile, {}, aliceLogin({ subject: ada }));
    const other = await runCodeFlow(web, {}, aliceLogin({ subject: subject() }));

    expect((await admin("POST", `/admin/users/${ada}/revoke`)).status).toBe(204);

    await expectFamilyEnded(web, one.tokens as { access_token: string; refresh_token: string });
    await expectFamilyEnded(mobile, two.tokens as { access_token: string; refresh_token: string });
    await expectFamilyLive(web, other.tokens as { access_token: string; refresh_token: string });
    expect(await grantsOf(ada)).toEqual([]);
  });

  it("ends sessions being refreshed at that very moment", async () => {
    const client = await registerClient();
    const ada = subject();
    const flows = await Promise.all(
      Array.from({ length: 5 }, () => runCodeFlow(client, {}, aliceLogin({ subject: ada }))),
    );

    const [revoked] = await Promise.all([
      admin("POST", `/admin/users/${ada}/revoke`),
      ...flows.map((flow) => refresh(client, flow.tokens.refresh_token!)),
    ]);

    expect(revoked.status).toBe(204);
    for (const flow of flows) await expectInactive(client, flow.tokens.access_token);
  });

  it("refuses to start a session from a login made before the sign-out, and lets a new login in", async () => {
    const client = await registerClient();
    const ada = subject();
    const issued = await issueCode(
      client,
      {},
      aliceLogin({ subject: ada, auth_time: Math.floor(Date.now() / 1000) - 5 }),
    );

    expect((await admin("POST", `/admin/users/${ada}/revoke`)).status).toBe(204);

    await expectInvalidGrant(await redeem(client, issued));
    const again = await runCodeFlow(client, {}, aliceLogin({ subject: ada }));
    expect((await introspect(client, again.tokens.access_token)).status).toBe(200);
    expect(await grantsOf(ada)).toHaveLength(1);
  });

  it("refuses a login completed before the sign-out whose stated auth_time is ahead of the clock", async () => {
    const client = await registerClient();
    const ada = subject();
    // The hand-off allows a minute of slack for the host's clock: the completion still came first.
    const ahead = Math.floor(Date.now() / 1000) + 50;
    const issued = await issueCode(client, {}, aliceLogin({ subject: ada, auth_time: ahead }));

    expect((await admin("POST", `/admin/users/${ada}/revoke`)).status).toBe(204);

    await expectInvalidGrant(await redeem(client, issued));
    expect(await grantsOf(ada)).toHaveLength(0);
  });

  it("lets in a login completed a millisecond after the sign-out, in the same second", async () => {
    const client = await registerClient();
    const ada = subject();
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Math.floor(Date.now() / 1000) * 1000 + 1000);
    expect((await admin("POST", `/admin/users/${ada}/revoke`)).status).toBe(204);
    vi.setSystemTime(Date.now() + 1);

    // The host gave no auth_time: the completion is the login, and it came after the sign-out.
    const again = await runCodeFlow(client, {}, aliceLogin({ subject: ada }));

    expect((await introspect(client, again.tokens.access_token)).status).toBe(200);
    expect(await grantsOf(ada)).toHaveLength(1);
  });

  it("counts a stated auth_time in the sign-out's second as before it, and a login completed at that very moment", async () => {
    const client = await registerClient();
    const ada = subject();
    vi.useFakeTimers({ toFake: ["Date"] });
    const second = Math.floor(Date.now() / 1000) + 1;
    vi.setSystemTime(second * 1000 + 500);
    // Completed at the sign-out's very millisecond (the clock stands still here): not after it.
    const sameMoment = await issueCode(client, {}, aliceLogin({ subject: ada }));
    expect((await admin("POST", `/admin/users/${ada}/revoke`)).status).toBe(204);
    vi.setSystemTime(Date.now() + 1);
    // The host says the login was in that second: it cannot be known to come after.
    const stated = await issueCode(client, {}, aliceLogin({ subject: ada, auth_time: second }));

    await expectInvalidGrant(await redeem(client, sameMoment));
    await expectInvalidGrant(await redeem(client, stated));
    expect(await grantsOf(ada)).toHaveLength(0);
  });

  it("keeps a sign-out stored in whole seconds, counting to the end of that second", async () => {
    const client = await registerClient();
    const ada = subject();
    vi.useFakeTimers({ toFake: ["Date"] });
    const second = Math.floor(Date.now() / 1000) + 1;
    vi.setSystemTime(second * 1000 + 900);
    const issued = await issueCode(client, {}, aliceLogin({ subject: ada }));
    // As an index written before sign-outs were kept to the millisecond holds it.
    const stub = env.USER_SESSIONS.get(env.USER_SESSIONS.idFromName(ada));
    await runInDurableObject(stub, (_instance, state) => state.storage.kv.put("signed_out_at", second));

    await expectInvalidGrant(await redeem(client, issued));
  });

  it("answers 204 for a subject with no sessions", async () => {
    expect((await admin("POST", `/admin/users/${subject()}/revoke`)).status).toBe(204);
  });

  it("refuses a subject longer than 255 characters", async () => {
    const response = await admin("GET", `/admin/users/${"u".repeat(256)}/grants`);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: "invalid_request",
      error_description: "The subject must be 1 to 255 characters.",
    });
  });
});
