/**
 * A metadata document URL is a `client_id` anyone may send, and Baton fetches it on every cache
 * miss (a failure is never cached): so each source address (`CF-Connecting-IP`) may cause 20
 * fetches a minute (DOCUMENT_FETCH_LIMITER). Past that, the request is refused before anything
 * is fetched: a page with 429 and `Retry-After` where a person is sent (authorize, logout), 429
 * `invalid_client` in JSON at the token endpoint (whose other 429 keeps that code too). A
 * document already cached is served to the same source all the while, and another source is not
 * affected.
 */
import { describe, expect, it } from "vitest";
import { expectError } from "../http/support-token-endpoint";
import { authorizationQuery } from "../support/code-flow";
import { documentUrl, requestsFor, withDocuments } from "../support/metadata-documents";
import { freshSource, withinOneWindow } from "../support/rate-limit-window";

const LIMIT = 20;
const DESCRIPTION = "Too many client documents fetched for requests from here; retry later.";

async function authorize(clientId: string, source: string): Promise<Response> {
  const { query } = await authorizationQuery({ client_id: clientId });
  return withDocuments(`/oauth2/authorize?${new URLSearchParams(query)}`, {
    headers: { "CF-Connecting-IP": source },
  });
}

async function authorizeStatus(clientId: string, source: string): Promise<number> {
  const response = await authorize(clientId, source);
  await response.body?.cancel();
  return response.status;
}

/** Spends `source`'s fetches on fresh documents of `behaviour`, each answered `status`; returns their URLs. */
async function spendFetches(source: string, behaviour = "good", status = 302): Promise<string[]> {
  const urls = Array.from({ length: LIMIT }, () => documentUrl(behaviour));
  for (const url of urls) expect(await authorizeStatus(url, source)).toBe(status);
  return urls;
}

async function expectBusyPage(response: Response): Promise<void> {
  const html = await response.text();
  expect(response.status, html).toBe(429);
  expect(response.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
  expect(response.headers.get("Retry-After")).toBe("60");
  expect(response.headers.get("Cache-Control")).toBe("no-store");
  expect(html).toContain("Too many requests from here");
  expect(html).toContain(DESCRIPTION);
}

describe("metadata document fetches per source address", () => {
  it("fetches 20 a minute for one source, then refuses the authorization with a 429 page and fetches nothing", async () => {
    const { statuses, refused, refusedUrl } = await withinOneWindow(async (source) => {
      const urls = Array.from({ length: LIMIT }, () => documentUrl("good"));
      const statuses: number[] = [];
      for (const url of urls) statuses.push(await authorizeStatus(url, source));
      const refusedUrl = documentUrl("good");
      return { statuses, refused: await authorize(refusedUrl, source), refusedUrl };
    });
    expect(statuses).toEqual(Array(LIMIT).fill(302));
    await expectBusyPage(refused);
    expect(await requestsFor(refusedUrl)).toBe(0);
  });

  it("counts fetches that fail, which are never cached, as well", async () => {
    const { statuses, refusedUrl, refused } = await withinOneWindow(async (source) => {
      const urls = await spendFetches(source, "not-found", 400);
      const statuses = await Promise.all(urls.map(requestsFor));
      const refusedUrl = documentUrl("not-found");
      return { statuses, refusedUrl, refused: await authorize(refusedUrl, source) };
    });
    expect(statuses).toEqual(Array(LIMIT).fill(1));
    await expectBusyPage(refused);
    expect(await requestsFor(refusedUrl)).toBe(0);
  });

  it("still serves a cached document to a source over its limit, and another source is not affected", async () => {
    const { cached, other } = await withinOneWindow(async (source) => {
      const [first] = await spendFetches(source);
      return {
        cached: await authorizeStatus(first!, source),
        other: await authorizeStatus(documentUrl("good"), freshSource()),
      };
    });
    expect(cached).toBe(302);
    expect(other).toBe(302);
  });

  it("fetches nothing, and counts nothing, for an authorization without a redirect_uri", async () => {
    const { refused, url, after } = await withinOneWindow(async (source) => {
      const url = documentUrl("good");
      const { query } = await authorizationQuery({ client_id: url });
      const params = new URLSearchParams(query);
      params.delete("redirect_uri");
      const refused = await withDocuments(`/oauth2/authorize?${params}`, { headers: { "CF-Connecting-IP": source } });
      // The whole minute's fetches are still there for requests that can succeed.
      const urls = Array.from({ length: LIMIT }, () => documentUrl("good"));
      const after: number[] = [];
      for (const other of urls) after.push(await authorizeStatus(other, source));
      return { refused, url, after };
    });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("The redirect_uri is missing or is not registered for this client.");
    expect(await requestsFor(url)).toBe(0);
    expect(after).toEqual(Array(LIMIT).fill(302));
  });

  it("answers the token endpoint with 429 invalid_client in JSON", async () => {
    const { refused, refusedUrl } = await withinOneWindow(async (source) => {
      await spendFetches(source);
      const refusedUrl = documentUrl("good");
      const refused = await withDocuments("/oauth2/token", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "CF-Connecting-IP": source },
        body: new URLSearchParams({ grant_type: "authorization_code", code: "x", client_id: refusedUrl }),
      });
      return { refused, refusedUrl };
    });
    await expectError(refused, {
      status: 429,
      error: "invalid_client",
      description: DESCRIPTION,
      headers: { "Retry-After": "60" },
    });
    expect(await requestsFor(refusedUrl)).toBe(0);
  });

  it("refuses a logout naming a new document by its bare client_id with the 429 page", async () => {
    const { refused, refusedUrl } = await withinOneWindow(async (source) => {
      await spendFetches(source);
      const refusedUrl = documentUrl("good");
      const query = new URLSearchParams({ client_id: refusedUrl });
      const refused = await withDocuments(`/oauth2/logout?${query}`, { headers: { "CF-Connecting-IP": source } });
      return { refused, refusedUrl };
    });
    await expectBusyPage(refused);
    expect(await requestsFor(refusedUrl)).toBe(0);
  });
});
