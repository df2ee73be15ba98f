/**
 * `POST /oauth2/revoke`, what it ends: a refresh token (of any generation) or an access token
 * ends its whole family, at once; another client's token is answered the same and left alone.
 *
 * @see RFC 7009 §2.1 (revoking a refresh token SHOULD also invalidate the grant's access tokens)
 */
import { env } from "cloudflare:workers";
import { decodeJwt } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { registerClient, type TestClient } from "../support/clients";
import { runCodeFlow } from "../support/code-flow";
import { readFamily, startFamily } from "../support/families";
import { tokenRequest } from "../support/token-requests";
import { call } from "../support/worker";
import {
  clientPost,
  expectFamilyEnded,
  expectFamilyLive,
  expectInactive,
  expectRevocationAnswer,
  revoke,
} from "./endpoint-requests";

let client: TestClient;
let other: TestClient;
let publicClient: TestClient;

beforeAll(async () => {
  client = await registerClient();
  other = await registerClient();
  publicClient = await registerClient({ token_endpoint_auth_method: "none" });
});

describe("revocation: a refresh token ends its family", () => {
  it("ends the family with its current refresh token: refresh, introspection and userinfo all refuse", async () => {
    const family = await startFamily(client.client_id);

    await expectRevocationAnswer(await revoke(client, family.tokens.refresh_token));

    expect(await readFamily(family.sid)).toBeUndefined();
    await expectFamilyEnded(client, family.tokens);
  });

  it("ends the family with a retired refresh token, taking the current one with it", async () => {
    const family = await startFamily(client.client_id);
    const rotated = await expectFamilyLive(client, family.tokens);

    await expectRevocationAnswer(await revoke(client, family.tokens.refresh_token));

    await expectFamilyEnded(client, rotated);
    await expectInactive(client, family.tokens.access_token);
  });

  it("ends a family with a refresh token two generations old", async () => {
    const family = await startFamily(client.client_id);
    const second = await expectFamilyLive(client, family.tokens);
    const third = await expectFamilyLive(client, second);

    await expectRevocationAnswer(await revoke(client, family.tokens.refresh_token));

    await expectFamilyEnded(client, third);
  });

  it("ends a family that came from the authorization code flow", async () => {
    const { sid, tokens } = await runCodeFlow(client);

    await expectRevocationAnswer(await revoke(client, tokens.refresh_token!));

    expect(await readFamily(sid)).toBeUndefined();
    await expectFamilyEnded(client, { access_token: tokens.access_token, refresh_token: tokens.refresh_token! });
  });

  it("lets a public client revoke its own refresh token with its client_id alone", async () => {
    const family = await startFamily(publicClient.client_id);

    await expectRevocationAnswer(await revoke(publicClient, family.tokens.refresh_token));

    expect(await readFamily(family.sid)).toBeUndefined();
  });
});

describe("revocation: an access token ends its family", () => {
  it("ends the family with one of its access tokens, refresh tokens included", async () => {
    const family = await startFamily(client.client_id);

    await expectRevocationAnswer(await revoke(client, family.tokens.access_token));

    expect(await readFamily(family.sid)).toBeUndefined();
    await expectFamilyEnded(client, family.tokens);
  });

  it("ends the family with an older access token, the newer ones included", async () => {
    const family = await startFamily(client.client_id);
    const rotated = await expectFamilyLive(client, family.tokens);

    await expectRevocationAnswer(await revoke(client, family.tokens.access_token));

    await expectFamilyEnded(client, rotated);
  });
});

describe("revocation: a machine token, which has no family, is revoked alone", () => {
  let machine: TestClient;

  beforeAll(async () => {
    machine = await registerClient({ grant_types: ["client_credentials"], redirect_uris: [], scope: "jobs" });
  });

  async function machineToken(): Promise<string> {
    const issued = await tokenRequest(machine, { grant_type: "client_credentials" });
    return (await issued.json<{ access_token: string }>()).access_token;
  }

  async function introspect(caller: TestClient, token: string): Promise<unknown> {
    return (await clientPost("/oauth2/introspection", caller, { token })).json();
  }

  it("answers 200 and the token is inactive at once, while its client's other tokens stay active", async () => {
    const [revoked, kept] = [await machineToken(), await machineToken()];

    await expectRevocationAnswer(await revoke(machine, revoked));

    expect(await introspect(machine, revoked)).toEqual({ active: false });
    expect(await introspect(other, revoked)).toEqual({ active: false });
    expect(await introspect(machine, kept)).toMatchObject({ active: true, client_id: machine.client_id });
    // The client keeps getting new tokens: revoking one is not a sign-out of the client.
    expect(await introspect(machine, await machineToken())).toMatchObject({ active: true });
  });

  it("answers 200 to revoking it twice, and it stays inactive", async () => {
    const token = await machineToken();
    await expectRevocationAnswer(await revoke(machine, token));
    await expectRevocationAnswer(await revoke(machine, token));
    expect(await introspect(machine, token)).toEqual({ active: false });
  });

  it("is left alone when another client revokes it", async () => {
    const token = await machineToken();
    await expectRevocationAnswer(await revoke(other, token));
    expect(await introspect(machine, token)).toMatchObject({ active: true });
  });

  it("keeps the mark no longer than the token lives", async () => {
    const token = await machineToken();
    await expectRevocationAnswer(await revoke(machine, token));
    const { jti, exp } = decodeJwt(token);
    const keys = await env.CLIENTS.list({ prefix: "revoked-token:" });
    const entry = keys.keys.find((key) => key.name === `revoked-token:${jti}`);
    expect(entry).toBeDefined();
    // KV keeps an entry at least a minute; never longer than the token would have lived.
    expect(entry!.expiration).toBeLessThanOrEqual(Math.max(exp!, Math.floor(Date.now() / 1000) + 60) + 1);
  });
});

describe("revocation: another client's token is left alone", () => {
  it("answers 200 to another client's refresh token and the family keeps working", async () => {
    const family = await startFamily(client.client_id);
    const before = await readFamily(family.sid);

    await expectRevocationAnswer(await revoke(other, family.tokens.refresh_token));

    expect(await readFamily(family.sid)).toEqual(before);
    await expectFamilyLive(client, family.tokens);
  });

  it("answers 200 to another client's retired refresh token and the family keeps working", async () => {
    const family = await startFamily(client.client_id);
    const rotated = await expectFamilyLive(client, family.tokens);

    await expectRevocationAnswer(await revoke(other, family.tokens.refresh_token));

    await expectFamilyLive(client, rotated);
  });

  it("answers 200 to another client's access token and the family keeps working", async () => {
    const family = await startFamily(client.client_id);

    await expectRevocationAnswer(await revoke(other, family.tokens.access_token));

    await expectFamilyLive(client, family.tokens);
  });
});

describe("revocation: token_type_hint is only a hint", () => {
  const HINTS = ["refresh_token", "access_token", "id_token", "garbage", ""];

  it.each(HINTS)("ends the family from its refresh token with token_type_hint=%j", async (hint) => {
    const family = await startFamily(client.client_id);

    await expectRevocationAnswer(await revoke(client, family.tokens.refresh_token, { token_type_hint: hint }));

    await expectFamilyEnded(client, family.tokens);
  });

  it.each(HINTS)("ends the family from its access token with token_type_hint=%j", async (hint) => {
    const family = await startFamily(client.client_id);

    await expectRevocationAnswer(await revoke(client, family.tokens.access_token, { token_type_hint: hint }));

    await expectFamilyEnded(client, family.tokens);
  });
});

describe("revocation: a JSON body", () => {
  it("takes the token and client_secret_post credentials as JSON", async () => {
    const family = await startFamily(client.client_id);
    const response = await call("/oauth2/revoke", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        token: family.tokens.refresh_token,
        token_type_hint: "refresh_token",
        client_id: client.client_id,
        client_secret: client.client_secret,
      }),
    });

    await expectRevocationAnswer(response);
    await expectFamilyEnded(client, family.tokens);
  });
});
