/**
 * How often Baton fetches a metadata document: once per cache lifetime, which is the document's
 * `Cache-Control: max-age` clamped to between 5 minutes and 24 hours (5 minutes without one),
 * counted at the document server. A failure is never cached. Time is moved with the clock the
 * Worker reads; each entry carries its own expiry, so the platform cache keeping it longer
 * changes nothing.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { authorizationQuery, expectLoginHandOff } from "../support/code-flow";
import { documentUrl, requestsFor, withDocuments } from "../support/metadata-documents";
import { waitSeconds } from "../support/clock";

afterEach(() => {
  vi.useRealTimers();
});

/** Authorizes as `clientId`; returns the answer's status (302 hand-off, 400 unknown client). */
async function authorizeAs(clientId: string): Promise<number> {
  const { query } = await authorizationQuery({ client_id: clientId });
  const response = await withDocuments(`/oauth2/authorize?${new URLSearchParams(query)}`);
  if (response.status === 302) expectLoginHandOff(response);
  await response.body?.cancel();
  return response.status;
}

describe("caching metadata documents", () => {
  it("fetches a document once for any number of requests within its lifetime", async () => {
    const clientId = documentUrl("good");
    expect(await Promise.all([authorizeAs(clientId), authorizeAs(clientId)])).toEqual([302, 302]);
    for (let i = 0; i < 3; i++) expect(await authorizeAs(clientId)).toBe(302);
    // The first two may both have missed the cache at once; after them, nothing is fetched.
    const count = await requestsFor(clientId);
    expect(count).toBeLessThanOrEqual(2);
    expect(await authorizeAs(clientId)).toBe(302);
    expect(await requestsFor(clientId)).toBe(count);
  });

  it.each<[string, string, number]>([
    ["no Cache-Control, for 5 minutes", "good", 300],
    ["max-age=600, for 10 minutes", "max-age-600", 600],
    ["max-age=10, for no less than 5 minutes", "max-age-10", 300],
    ["a max-age of a year, for no more than 24 hours", "max-age-year", 86_400],
    ["no-store, for the 5 minutes of the floor", "no-store", 300],
  ])("keeps a document with %s", async (_label, behaviour, lifetime) => {
    const clientId = documentUrl(behaviour);
    const start = Date.now();
    expect(await authorizeAs(clientId)).toBe(302);
    expect(await requestsFor(clientId)).toBe(1);

    // Past the isolate's own minute, the shared cache still answers.
    waitSeconds(61);
    expect(await authorizeAs(clientId)).toBe(302);
    expect(await requestsFor(clientId)).toBe(1);

    vi.setSystemTime(start + (lifetime - 5) * 1000);
    expect(await authorizeAs(clientId)).toBe(302);
    expect(await requestsFor(clientId)).toBe(1);

    vi.setSystemTime(start + (lifetime + 1) * 1000);
    expect(await authorizeAs(clientId)).toBe(302);
    expect(await requestsFor(clientId)).toBe(2);
  });

  it("never caches a failure: the next request fetches again and succeeds", async () => {
    const clientId = documentUrl("fail-once");
    expect(await authorizeAs(clientId)).toBe(400);
    expect(await requestsFor(clientId)).toBe(1);
    expect(await authorizeAs(clientId)).toBe(302);
    expect(await requestsFor(clientId)).toBe(2);
    expect(await authorizeAs(clientId)).toBe(302);
    expect(await requestsFor(clientId)).toBe(2);
  });

  it.each(["not-found", "wrong-client-id", "garbage"])(
    "fetches a %s document again on every request",
    async (behaviour) => {
      const clientId = documentUrl(behaviour);
      for (let i = 1; i <= 3; i++) {
        expect(await authorizeAs(clientId)).toBe(400);
        expect(await requestsFor(clientId)).toBe(i);
      }
    },
  );
});
