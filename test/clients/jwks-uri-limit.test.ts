/**
 * A `jwks_uri` fetch counts against its sender's source address as a metadata document's does
 * (DOCUMENT_FETCH_LIMITER, 20 a minute): the isolate keeps 1,000 key sets, so whoever controls
 * more clients could otherwise make Baton fetch on every request. Past the limit, 429
 * `invalid_client` and nothing fetched; keys already kept still verify, and another source is not
 * affected.
 */
import { describe, expect, it } from "vitest";
import { expectError, expectTokens } from "../http/support-token-endpoint";
import { clientKey, postWithAssertion, registerKeyClient, signAssertion, type KeyClient } from "../support/client-keys";
import { jwksFetches, jwksUrl, serveJwks } from "../support/jwks-server";
import { freshSource, withinOneWindow } from "../support/rate-limit-window";

const LIMIT = 20;
const MACHINE = { grant_types: ["client_credentials"], redirect_uris: [], scope: "reports:read" };

/** A client whose jwks_uri serves its key under a name of its own. */
async function uriClient(): Promise<{ client: KeyClient; name: string }> {
  const key = await clientKey("ES256");
  const name = crypto.randomUUID();
  await serveJwks(name, { keys: [key.publicJwk] });
  return { client: await registerKeyClient(key, { ...MACHINE, jwks_uri: jwksUrl(name) }), name };
}

async function tokenRequest(client: KeyClient, source: string): Promise<Response> {
  const assertion = await signAssertion(client);
  return postWithAssertion(assertion, { grant_type: "client_credentials" }, "/oauth2/token", {
    "CF-Connecting-IP": source,
  });
}

describe("jwks_uri fetches per source address", () => {
  it("fetches 20 key sets a minute for one source, then answers 429 invalid_client and fetches nothing", async () => {
    const clients = await Promise.all(Array.from({ length: LIMIT + 2 }, uriClient));
    const { statuses, refused, cached, other } = await withinOneWindow(async (source) => {
      const statuses: number[] = [];
      for (const { client } of clients.slice(0, LIMIT)) {
        const response = await tokenRequest(client, source);
        await response.body?.cancel();
        statuses.push(response.status);
      }
      return {
        statuses,
        refused: await tokenRequest(clients[LIMIT]!.client, source),
        cached: await tokenRequest(clients[0]!.client, source),
        other: await tokenRequest(clients[LIMIT + 1]!.client, freshSource()),
      };
    });
    expect(statuses).toEqual(Array(LIMIT).fill(200));
    await expectError(refused, {
      status: 429,
      error: "invalid_client",
      description: "Too many client documents fetched for requests from here; retry later.",
      headers: { "Retry-After": "60" },
    });
    expect(await jwksFetches(clients[LIMIT]!.name)).toBe(0);
    await expectTokens(cached);
    await expectTokens(other);
  });
});
