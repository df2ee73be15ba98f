/**
 * One assertion, one authentication (RFC 7523 §3 item 7): each `jti` is spent in the client's
 * registry object, which decides one request at a time, and kept until the assertion expires.
 * The races are real: the same assertion sent many times at once, through the Worker.
 */
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { MAX_ASSERTION_IDS } from "../../src/clients/assertion-ids";
import { clientKey, postWithAssertion, registerKeyClient, signAssertion, type KeyClient } from "../support/client-keys";
import { expectError, expectInvalidClient, expectTokens } from "../http/support-token-endpoint";

const MACHINE = { grant_types: ["client_credentials"], redirect_uris: [], scope: "reports:read" };
const PARALLEL = 20;

let client: KeyClient;

beforeAll(async () => {
  const key = await clientKey("ES256");
  client = await registerKeyClient(key, { ...MACHINE, jwks: { keys: [key.publicJwk] } });
});

afterEach(() => {
  vi.useRealTimers();
});

function registry(clientId: string) {
  return env.CLIENT_REGISTRY.get(env.CLIENT_REGISTRY.idFromName(clientId));
}

/** The rows of the client's spent assertion ids. */
/** The ids a client's registry object keeps; none while it has never needed the table. */
function storedIds(clientId: string): Promise<{ hash: string; expires_at: number }[]> {
  return runInDurableObject(registry(clientId), (_instance, state) => {
    const tables = state.storage.sql
      .exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'assertion_ids'")
      .toArray();
    if (tables.length === 0) return [];
    return state.storage.sql
      .exec<{ hash: string; expires_at: number }>("SELECT hash, expires_at FROM assertion_ids")
      .toArray();
  });
}

async function statuses(responses: Response[]): Promise<number[]> {
  await Promise.all(responses.map((response) => response.arrayBuffer()));
  return responses.map((response) => response.status);
}

describe("the same assertion sent many times at once", () => {
  it(`authenticates exactly one of ${PARALLEL} token requests; the rest are 401`, async () => {
    const assertion = await signAssertion(client);
    const responses = await Promise.all(
      Array.from({ length: PARALLEL }, () => postWithAssertion(assertion, { grant_type: "client_credentials" })),
    );

    const all = await statuses(responses);
    expect(all.filter((status) => status === 200)).toHaveLength(1);
    expect(all.filter((status) => status === 401)).toHaveLength(PARALLEL - 1);
  });

  it("authenticates exactly one request across the token, revocation and introspection endpoints", async () => {
    const assertion = await signAssertion(client);
    const paths = ["/oauth2/token", "/oauth2/revoke", "/oauth2/introspection"];
    const responses = await Promise.all(
      Array.from({ length: PARALLEL }, (_, i) =>
        postWithAssertion(assertion, { grant_type: "client_credentials", token: "x" }, paths[i % paths.length]),
      ),
    );

    const all = await statuses(responses);
    expect(all.filter((status) => status === 200)).toHaveLength(1);
    expect(all.filter((status) => status === 401)).toHaveLength(PARALLEL - 1);
  });

  it("answers every loser with the whole invalid_client error", async () => {
    const assertion = await signAssertion(client);
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => postWithAssertion(assertion, { grant_type: "client_credentials" })),
    );
    const losers = responses.filter((response) => response.status !== 200);
    expect(losers).toHaveLength(4);
    for (const loser of losers) await expectInvalidClient(loser);
  });
});

describe("what the registry object keeps", () => {
  it("keeps only the jti's hash, until the assertion's exp plus the clock skew", async () => {
    const key = await clientKey("ES256");
    const fresh = await registerKeyClient(key, { ...MACHINE, jwks: { keys: [key.publicJwk] } });
    const jti = `jti-${crypto.randomUUID()}`;
    const exp = Math.floor(Date.now() / 1000) + 90;
    await expectTokens(
      await postWithAssertion(await signAssertion(fresh, { jti, exp }), { grant_type: "client_credentials" }),
    );

    const rows = await storedIds(fresh.client_id);
    expect(rows).toEqual([{ hash: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), expires_at: exp + 30 }]);
    expect(JSON.stringify(rows)).not.toContain(jti);
  });

  it("creates no table for ids until the first assertion needs one", async () => {
    const key = await clientKey("ES256");
    const fresh = await registerKeyClient(key, { ...MACHINE, jwks: { keys: [key.publicJwk] } });
    const tables = () =>
      runInDurableObject(registry(fresh.client_id), (_instance, state) =>
        state.storage.sql
          .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
          .toArray()
          .map((row) => row.name),
      );
    expect(await tables()).not.toContain("assertion_ids");
    await expectTokens(await postWithAssertion(await signAssertion(fresh), { grant_type: "client_credentials" }));
    expect(await tables()).toContain("assertion_ids");
  });

  it("keeps nothing for an assertion whose signature does not verify", async () => {
    const key = await clientKey("ES256");
    const fresh = await registerKeyClient(key, { ...MACHINE, jwks: { keys: [key.publicJwk] } });
    const stranger = await clientKey("ES256", key.kid);
    const forged = await signAssertion(fresh, {}, {}, stranger);
    await expectInvalidClient(await postWithAssertion(forged, { grant_type: "client_credentials" }));

    expect(await storedIds(fresh.client_id)).toEqual([]);
  });

  it("forgets spent ids once their assertions have expired, by its alarm", async () => {
    const key = await clientKey("ES256");
    const fresh = await registerKeyClient(key, { ...MACHINE, jwks: { keys: [key.publicJwk] } });
    const now = Math.floor(Date.now() / 1000);
    for (const exp of [now + 60, now + 200]) {
      await expectTokens(
        await postWithAssertion(await signAssertion(fresh, { exp }), { grant_type: "client_credentials" }),
      );
    }
    const alarm = await runInDurableObject(registry(fresh.client_id), (_instance, state) => state.storage.getAlarm());
    expect(alarm).toBe((now + 60 + 30) * 1000);

    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime((now + 91) * 1000);
    expect(await runDurableObjectAlarm(registry(fresh.client_id))).toBe(true);
    expect((await storedIds(fresh.client_id)).map((row) => row.expires_at)).toEqual([now + 230]);
    // It wakes again for the next one, and then nothing is left.
    const next = await runInDurableObject(registry(fresh.client_id), (_instance, state) => state.storage.getAlarm());
    expect(next).toBe((now + 230) * 1000);
    vi.setSystemTime((now + 231) * 1000);
    expect(await runDurableObjectAlarm(registry(fresh.client_id))).toBe(true);
    expect(await storedIds(fresh.client_id)).toEqual([]);
  });

  it(`keeps at most ${MAX_ASSERTION_IDS} live ids per client, then asks it to retry when the earliest expires`, async () => {
    const key = await clientKey("ES256");
    const fresh = await registerKeyClient(key, { ...MACHINE, jwks: { keys: [key.publicJwk] } });
    const now = Math.floor(Date.now() / 1000);
    await runInDurableObject(registry(fresh.client_id), async (instance) => {
      // As many spent assertions as are kept, the earliest of them expiring in 40 s.
      for (let i = 0; i < MAX_ASSERTION_IDS; i++) await instance.useAssertionId(`hash-${i}`, now + 40 + (i % 100));
    });

    const response = await postWithAssertion(await signAssertion(fresh), { grant_type: "client_credentials" });
    const retryAfter = Number(response.headers.get("Retry-After"));
    await expectError(response, {
      status: 429,
      error: "invalid_client",
      description: "Too many client assertions at once; retry later.",
    });
    expect(retryAfter).toBeGreaterThanOrEqual(38);
    expect(retryAfter).toBeLessThanOrEqual(40);

    // Once the earliest have expired, a new assertion takes a freed place.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime((now + 42) * 1000);
    await expectTokens(await postWithAssertion(await signAssertion(fresh), { grant_type: "client_credentials" }));
  });
});
