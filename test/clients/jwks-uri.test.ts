/**
 * A `private_key_jwt` client whose keys live at its `jwks_uri`: fetched with bounds, kept in the
 * isolate for five minutes, fetched early only for a key the set lacks, and never more than once
 * a minute, whatever the traffic. The sets are served by a real HTTP server on 127.0.0.1
 * (test/support/jwks-server-setup.mjs); time is injected through the clock the Worker reads.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { clientKeys } from "../../src/clients/client-keys";
import { keyUrl } from "../../src/clients/key-metadata";
import { callWith } from "../support/code-flow";
import {
  clientKey,
  postWithAssertion,
  registerKeyClient,
  signAssertion,
  type ClientKey,
  type KeyClient,
} from "../support/client-keys";
import { jwksFetches, jwksUrl, serveJwks } from "../support/jwks-server";
import { expectInvalidClient, expectTokens } from "../http/support-token-endpoint";
import { admin } from "../support/worker";

const MACHINE = { grant_types: ["client_credentials"], redirect_uris: [], scope: "reports:read" };

afterEach(() => {
  vi.useRealTimers();
});

/** A client whose jwks_uri serves `keys` under a name of its own. */
async function uriClient(keys: ClientKey[], signer = keys[0]!): Promise<{ client: KeyClient; name: string }> {
  const name = crypto.randomUUID();
  await serveJwks(name, { keys: keys.map((key) => key.publicJwk) });
  const client = await registerKeyClient(signer, { ...MACHINE, jwks_uri: jwksUrl(name) });
  return { client, name };
}

function tokenRequest(assertion: string): Promise<Response> {
  return postWithAssertion(assertion, { grant_type: "client_credentials" });
}

/** Moves the Worker's clock `ms` past `from`. */
function advanceTo(from: number, ms: number): void {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(from + ms);
}

describe("keys at a jwks_uri", () => {
  it("authenticates with a key fetched from the client's jwks_uri", async () => {
    const { client, name } = await uriClient([await clientKey("ES256")]);

    await expectTokens(await tokenRequest(await signAssertion(client)));
    expect(await jwksFetches(name)).toBe(1);
  });

  it("fetches the set once for many requests, in turn and at once", async () => {
    const { client, name } = await uriClient([await clientKey("RS256")]);
    const assertions = await Promise.all(Array.from({ length: 10 }, () => signAssertion(client)));

    const parallel = await Promise.all(assertions.slice(0, 5).map(tokenRequest));
    for (const response of parallel) await expectTokens(response);
    for (const assertion of assertions.slice(5)) await expectTokens(await tokenRequest(assertion));
    expect(await jwksFetches(name)).toBe(1);
  });

  it("does not fetch again for assertions with unknown kids within a minute of the last fetch", async () => {
    const { client, name } = await uriClient([await clientKey("ES256")]);
    await expectTokens(await tokenRequest(await signAssertion(client)));
    const stranger = await clientKey("ES256");

    for (let i = 0; i < 5; i++)
      await expectInvalidClient(await tokenRequest(await signAssertion(client, {}, {}, stranger)));
    expect(await jwksFetches(name)).toBe(1);
  });

  it("fetches again for a key the set lacks, a minute after the last fetch, and finds a rotated key", async () => {
    const old = await clientKey("ES256");
    const { client, name } = await uriClient([old]);
    const start = Date.now();
    await expectTokens(await tokenRequest(await signAssertion(client)));
    // The client rotates: its server now publishes a second key, which it starts signing with.
    const rotated = await clientKey("ES256");
    await serveJwks(name, { keys: [old.publicJwk, rotated.publicJwk] });

    advanceTo(start, 30_000);
    await expectInvalidClient(await tokenRequest(await signAssertion(client, {}, {}, rotated)));
    expect(await jwksFetches(name)).toBe(1);

    advanceTo(start, 61_000);
    await expectTokens(await tokenRequest(await signAssertion(client, {}, {}, rotated)));
    await expectTokens(await tokenRequest(await signAssertion(client)));
    expect(await jwksFetches(name)).toBe(2);

    // Another unknown kid right after: no third fetch.
    await expectInvalidClient(await tokenRequest(await signAssertion(client, {}, {}, await clientKey("ES256"))));
    expect(await jwksFetches(name)).toBe(2);
  });

  it("fetches the set again once it is five minutes old, and drops a key the client removed", async () => {
    const [first, second] = await Promise.all([clientKey("ES256"), clientKey("ES256")]);
    const { client, name } = await uriClient([first, second]);
    const start = Date.now();
    await expectTokens(await tokenRequest(await signAssertion(client)));
    await serveJwks(name, { keys: [second.publicJwk] });

    advanceTo(start, 4 * 60_000);
    await expectTokens(await tokenRequest(await signAssertion(client)));
    expect(await jwksFetches(name)).toBe(1);

    advanceTo(start, 5 * 60_000 + 1000);
    await expectInvalidClient(await tokenRequest(await signAssertion(client)));
    await expectTokens(await tokenRequest(await signAssertion(client, {}, {}, second)));
    expect(await jwksFetches(name)).toBe(2);
  });

  it("keeps using the keys it has while the jwks_uri fails, fetching again at most once a minute", async () => {
    const { client, name } = await uriClient([await clientKey("ES256")]);
    const start = Date.now();
    await expectTokens(await tokenRequest(await signAssertion(client)));
    await serveJwks(name, "down for maintenance", 503);

    advanceTo(start, 5 * 60_000 + 1000);
    await expectTokens(await tokenRequest(await signAssertion(client)));
    await expectTokens(await tokenRequest(await signAssertion(client)));
    expect(await jwksFetches(name)).toBe(2);

    advanceTo(start, 6 * 60_000 + 2000);
    await expectTokens(await tokenRequest(await signAssertion(client)));
    expect(await jwksFetches(name)).toBe(3);
  });

  it.each<[string, unknown, number]>([
    ["an error status", { keys: [] }, 500],
    ["a body that is not JSON", "<html>", 200],
    ["a JSON array", [], 200],
    ["a set with no usable key", { keys: [{ kty: "oct", k: "c2VjcmV0" }] }, 200],
    ["a body over 64 KiB", { keys: [], padding: "x".repeat(65 * 1024) }, 200],
  ])(
    "refuses every assertion while the jwks_uri answers %s, and fetches at most once a minute",
    async (_label, body, status) => {
      const key = await clientKey("ES256");
      const name = crypto.randomUUID();
      await serveJwks(name, body, status);
      const client = await registerKeyClient(key, { ...MACHINE, jwks_uri: jwksUrl(name) });

      await expectInvalidClient(await tokenRequest(await signAssertion(client)));
      await expectInvalidClient(await tokenRequest(await signAssertion(client)));
      expect(await jwksFetches(name)).toBe(1);
    },
  );

  it("ignores the private and unusable keys of a fetched set and uses the rest", async () => {
    const key = await clientKey("EdDSA");
    const name = crypto.randomUUID();
    await serveJwks(name, {
      keys: [
        { kty: "oct", k: "c2VjcmV0", kid: key.kid },
        { ...key.publicJwk, d: "bGVha2Vk" },
        { kty: "EC", crv: "P-384", x: "AA", y: "AA", kid: key.kid },
        "not a key",
        key.publicJwk,
      ],
    });
    const client = await registerKeyClient(key, { ...MACHINE, jwks_uri: jwksUrl(name) });

    await expectTokens(await tokenRequest(await signAssertion(client)));
  });

  it("does not fetch an http jwks_uri once loopback URLs are no longer allowed", async () => {
    const { client, name } = await uriClient([await clientKey("ES256")]);
    const response = await callWith({ CLIENT_METADATA_ALLOW_LOOPBACK: "false" }, "/oauth2/token", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "CF-Connecting-IP": "198.18.7.7" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        client_assertion: await signAssertion(client),
      }),
    });

    await expectInvalidClient(response);
    expect(await jwksFetches(name)).toBe(0);
    expect(await clientKeys({ jwks_uri: jwksUrl(name) }, { allowLoopback: false })).toBeUndefined();
  });
});

describe("where a jwks_uri may point", () => {
  it.each([
    ["https://keys.example/jwks.json", false, true],
    ["https://keys.example:8443/jwks?client=1", false, true],
    ["http://127.0.0.1:8080/jwks", true, true],
    ["http://127.0.0.1:8080/jwks", false, false],
    ["http://localhost:8080/jwks", true, false],
    ["http://[::1]:8080/jwks", true, false],
    ["http://keys.example/jwks", true, false],
    ["https://user:pass@keys.example/jwks", false, false],
    ["https://keys.example/jwks#keys", false, false],
    ["https://keys.example/jwks#", false, false],
    ["ftp://keys.example/jwks", false, false],
    ["/relative/jwks", false, false],
    [`https://keys.example/${"a".repeat(2000)}`, false, false],
  ])("%s with loopback allowed: %s → fetchable: %s", (url, allowLoopback, fetchable) => {
    expect(keyUrl(url, { allowLoopback }) !== undefined).toBe(fetchable);
  });

  it("accepts a loopback jwks_uri from the admin API only while CLIENT_METADATA_ALLOW_LOOPBACK is on", async () => {
    const metadata = { ...MACHINE, token_endpoint_auth_method: "private_key_jwt", jwks_uri: jwksUrl("any") };
    expect(env.CLIENT_METADATA_ALLOW_LOOPBACK).toBe("true");
    const allowed = await admin("POST", "/admin/clients", metadata);
    expect(allowed.status).toBe(201);

    const refused = await callWith({ CLIENT_METADATA_ALLOW_LOOPBACK: "" }, "/admin/clients", {
      method: "POST",
      headers: { Authorization: `Bearer ${env.ADMIN_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify(metadata),
    });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({
      error: "invalid_client_metadata",
      error_description: "jwks_uri must be an https URL without a fragment or userinfo.",
    });
  });
});
