/**
 * Signing key rotation: the first key of SIGNING_KEYS signs, every key is published and verifies,
 * and a key taken out of the set stops verifying the tokens it signed.
 *
 * The Worker is called with a changed SIGNING_KEYS; the grant objects keep the test bindings, so
 * tokens under a changed set are minted where the Worker signs (client_credentials) or in the test.
 *
 * @see RFC 7517 §5, OIDC Core §10.1
 */
import { env } from "cloudflare:workers";
import { createExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { registerClient, type TestClient } from "../support/clients";
import { startFamily } from "../support/families";
import { basicAuth } from "../support/token-requests";
import { BASE } from "../support/worker";
import { accessTokenClaims, configuredKeys, signWithConfiguredKey } from "../userinfo/test-tokens";

let client: TestClient;
let machine: TestClient;

beforeAll(async () => {
  client = await registerClient();
  machine = await registerClient({ grant_types: ["client_credentials"], redirect_uris: [], scope: "jobs" });
});

/** SIGNING_KEYS holding the configured keys at `indexes`, in that order. */
function keySet(...indexes: number[]): string {
  const keys = configuredKeys();
  return JSON.stringify({ keys: indexes.map((index) => keys[index]) });
}

/** A Worker whose SIGNING_KEYS is `signingKeys`, the other bindings as configured. */
function workerWith(signingKeys: string) {
  const changed = { ...env, SIGNING_KEYS: signingKeys };
  return (path: string, init: RequestInit = {}) =>
    worker.fetch(new Request(BASE + path, init), changed, createExecutionContext());
}

const current = workerWith(env.SIGNING_KEYS!);

function introspectWith(send: ReturnType<typeof workerWith>, token: string): Promise<Response> {
  return send("/oauth2/introspection", {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      Authorization: basicAuth(client.client_id, client.client_secret!),
    },
    body: new URLSearchParams({ token }),
  });
}

async function activeWith(send: ReturnType<typeof workerWith>, token: string): Promise<boolean> {
  const response = await introspectWith(send, token);
  expect(response.status).toBe(200);
  return (await response.json<{ active: boolean }>()).active;
}

function userinfoWith(send: ReturnType<typeof workerWith>, token: string): Promise<Response> {
  return send("/oauth2/userinfo", { headers: { Authorization: `Bearer ${token}` } });
}

/** Mints a machine access token through the Worker `send`; returns it with its header's kid. */
async function machineToken(send: ReturnType<typeof workerWith>): Promise<{ token: string; kid: string }> {
  const response = await send("/oauth2/token", {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      Authorization: basicAuth(machine.client_id, machine.client_secret!),
    },
    body: new URLSearchParams({ grant_type: "client_credentials" }),
  });
  expect(response.status).toBe(200);
  const { access_token } = await response.json<{ access_token: string }>();
  const header = JSON.parse(atob(access_token.split(".")[0]!.replace(/-/g, "+").replace(/_/g, "/")));
  return { token: access_token, kid: header.kid };
}

describe("key rotation", () => {
  it("starts from three configured keys, all published, the first one signing", async () => {
    const kids = configuredKeys().map((key) => key.kid);
    expect(kids).toHaveLength(3);

    const jwks = await (await current("/oauth2/jwks")).json<{ keys: { kid: string }[] }>();
    expect(jwks.keys.map((key) => key.kid)).toEqual(kids);
    expect((await machineToken(current)).kid).toBe(kids[0]);
  });

  it("verifies a token signed by a published key that is not the first, for introspection and userinfo", async () => {
    const family = await startFamily(client.client_id);
    const token = await signWithConfiguredKey(accessTokenClaims(client.client_id, family.sid), 1);

    expect(await activeWith(current, token)).toBe(true);
    expect((await userinfoWith(current, token)).status).toBe(200);
  });

  it("stops verifying that token once its key is taken out of SIGNING_KEYS", async () => {
    const family = await startFamily(client.client_id);
    const token = await signWithConfiguredKey(accessTokenClaims(client.client_id, family.sid), 1);
    const withoutIt = workerWith(keySet(0, 2));

    expect(await activeWith(withoutIt, token)).toBe(false);
    const refused = await userinfoWith(withoutIt, token);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("WWW-Authenticate")).toBe('Bearer error="invalid_token"');
    // The key set in use decides, not what was seen before: back with the key, it verifies again.
    expect(await activeWith(current, token)).toBe(true);
  });

  it("signs with a newly promoted key and still verifies the old key's tokens while it stays published", async () => {
    const kids = configuredKeys().map((key) => key.kid);
    const before = await machineToken(current);
    const promoted = workerWith(keySet(1, 0, 2));

    const after = await machineToken(promoted);

    expect(after.kid).toBe(kids[1]);
    expect(await activeWith(promoted, before.token)).toBe(true);
    expect(await activeWith(promoted, after.token)).toBe(true);
    // The tokens the promoted key signs verify where it is published but not first.
    expect(await activeWith(current, after.token)).toBe(true);
  });

  it("stops verifying the old key's tokens once the old key is removed after a promotion", async () => {
    const before = await machineToken(current);
    const retired = workerWith(keySet(1, 2));

    expect(await activeWith(retired, before.token)).toBe(false);
    const jwks = await (await retired("/oauth2/jwks")).json<{ keys: { kid: string }[] }>();
    expect(jwks.keys.map((key) => key.kid)).not.toContain(configuredKeys()[0]!.kid);
  });

  it("refuses a token whose header names a published kid with another key's algorithm", async () => {
    const family = await startFamily(client.client_id);
    const kids = configuredKeys().map((key) => key.kid);
    // Signed by key 1, but claiming to be key 2's.
    const token = await signWithConfiguredKey(accessTokenClaims(client.client_id, family.sid), 1, { kid: kids[2]! });

    expect(await activeWith(current, token)).toBe(false);
  });
});
