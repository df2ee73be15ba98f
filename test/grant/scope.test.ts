/**
 * Rule 5 of the refresh_token grant: `scope` may narrow the tokens of one response, never
 * widen the grant, and a refused scope does not spend the token.
 *
 * @see RFC 6749 §6, §3.3
 */
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { registerClient } from "../support/clients";
import { readFamily, startFamily } from "../support/families";
import { refresh } from "../support/token-requests";

const FULL_SCOPE = ["openid", "profile", "email", "offline_access"];

interface TokenBody {
  access_token: string;
  scope: string;
  id_token?: string;
  refresh_token: string;
}

/** The scope tokens of a space-separated scope, as a sorted list (order does not matter). */
function scopeSet(scope: unknown): string[] {
  expect(typeof scope).toBe("string");
  return (scope as string).split(" ").sort();
}

async function expectRefused(response: Response, body: object) {
  expect(response.status).toBe(400);
  expect(response.headers.get("Content-Type")).toBe("application/json");
  expect(response.headers.get("Cache-Control")).toBe("no-store");
  expect(response.headers.get("Pragma")).toBe("no-cache");
  expect(await response.json()).toEqual(body);
}

const INVALID_SCOPE = { error: "invalid_scope", error_description: "The requested scope exceeds the scope granted." };

describe("refresh_token grant: scope", () => {
  it("narrows the response's scope and the access token's scope claim", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);

    const response = await refresh(client, family.tokens.refresh_token, { scope: "openid email" });

    expect(response.status).toBe(200);
    const body = await response.json<TokenBody>();
    expect(scopeSet(body.scope)).toEqual(["email", "openid"]);
    expect(scopeSet(decodeJwt(body.access_token).scope)).toEqual(["email", "openid"]);
  });

  it("ignores the order of the scope and repeated spaces or tokens in it", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);

    const response = await refresh(client, family.tokens.refresh_token, { scope: "  email   openid openid  " });

    expect(response.status).toBe(200);
    const body = await response.json<TokenBody>();
    expect(scopeSet(body.scope)).toEqual(["email", "openid"]);
    expect(scopeSet(decodeJwt(body.access_token).scope)).toEqual(["email", "openid"]);
  });

  it("gives the full grant when the scope is all spaces, as if it were absent", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);

    const response = await refresh(client, family.tokens.refresh_token, { scope: "   " });

    expect(response.status).toBe(200);
    expect(scopeSet((await response.json<TokenBody>()).scope)).toEqual([...FULL_SCOPE].sort());
  });

  it("keeps the grant's full scope on the new refresh token after a narrowed refresh", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const narrowed = await (await refresh(client, family.tokens.refresh_token, { scope: "openid" })).json<TokenBody>();

    const response = await refresh(client, narrowed.refresh_token);

    expect(response.status).toBe(200);
    const body = await response.json<TokenBody>();
    expect(scopeSet(body.scope)).toEqual([...FULL_SCOPE].sort());
    expect(scopeSet(decodeJwt(body.access_token).scope)).toEqual([...FULL_SCOPE].sort());
    expect((await readFamily(family.sid))!.scope).toEqual(FULL_SCOPE);
  });

  it("lets a later refresh ask again for the whole grant after a narrowed one", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const narrowed = await (await refresh(client, family.tokens.refresh_token, { scope: "email" })).json<TokenBody>();

    const response = await refresh(client, narrowed.refresh_token, { scope: FULL_SCOPE.join(" ") });

    expect(response.status).toBe(200);
    expect(scopeSet((await response.json<TokenBody>()).scope)).toEqual([...FULL_SCOPE].sort());
  });

  it("still rotates the refresh token when the narrowed scope leaves out offline_access", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);

    const response = await refresh(client, family.tokens.refresh_token, { scope: "openid profile" });

    expect(response.status).toBe(200);
    const body = await response.json<TokenBody>();
    expect(scopeSet(body.scope)).toEqual(["openid", "profile"]);
    expect(body.refresh_token).toMatch(/^rt_/);
    expect(body.refresh_token).not.toBe(family.tokens.refresh_token);
  });

  it("issues no id_token when openid is not in the effective scope", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);

    const response = await refresh(client, family.tokens.refresh_token, { scope: "email offline_access" });

    expect(response.status).toBe(200);
    const body = await response.json<TokenBody>();
    expect(body).not.toHaveProperty("id_token");
    expect(scopeSet(body.scope)).toEqual(["email", "offline_access"]);
  });

  it("issues no id_token on any refresh of a grant made without openid", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id, { scope: "email offline_access" });

    const response = await refresh(client, family.tokens.refresh_token);

    expect(response.status).toBe(200);
    const body = await response.json<TokenBody>();
    expect(body).not.toHaveProperty("id_token");
    expect(scopeSet(body.scope)).toEqual(["email", "offline_access"]);
  });

  it.each(["constructor", "toString", "__proto__"])(
    "serves a grant whose scope holds %j, a name Object.prototype also has",
    async (odd) => {
      const client = await registerClient();
      const family = await startFamily(client.client_id, { scope: `openid ${odd} email offline_access` });

      const response = await refresh(client, family.tokens.refresh_token, { scope: `${odd} openid` });

      expect(response.status).toBe(200);
      expect(scopeSet((await response.json<TokenBody>()).scope)).toEqual([odd, "openid"].sort());
    },
  );

  it.each([
    ["a scope the grant never held", "openid admin"],
    ["only scopes the grant never held", "admin"],
    ["a scope differing only in case", "OPENID"],
    ["a scope the client may hold but this grant does not", "openid profile"],
  ])("refuses %s with invalid_scope and leaves the token current", async (_label, scope) => {
    const client = await registerClient();
    // The grant holds less than the client is allowed, so "profile" is beyond it.
    const family = await startFamily(client.client_id, { scope: "openid email offline_access" });
    const before = await readFamily(family.sid);

    await expectRefused(await refresh(client, family.tokens.refresh_token, { scope }), INVALID_SCOPE);

    expect(await readFamily(family.sid)).toEqual(before);
    const retry = await refresh(client, family.tokens.refresh_token);
    expect(retry.status).toBe(200);
    expect((await readFamily(family.sid))!.generation).toBe(1);
  });

  it("refuses a scope that breaks RFC 6749 §3.3 syntax and leaves the token current", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const before = await readFamily(family.sid);

    await expectRefused(await refresh(client, family.tokens.refresh_token, { scope: 'openid "email"' }), {
      error: "invalid_scope",
      error_description: "The scope parameter is malformed.",
    });

    expect(await readFamily(family.sid)).toEqual(before);
    expect((await refresh(client, family.tokens.refresh_token)).status).toBe(200);
  });

  it("does not spend the token on a refused scope even inside a run of rotations", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const second = await (await refresh(client, family.tokens.refresh_token)).json<TokenBody>();

    await expectRefused(await refresh(client, second.refresh_token, { scope: "openid admin" }), INVALID_SCOPE);

    // The refused request was not a use of the successor: the retired token still replays.
    const retry = await refresh(client, family.tokens.refresh_token);
    expect(retry.status).toBe(200);
    expect((await retry.json<TokenBody>()).refresh_token).toBe(second.refresh_token);
    expect((await refresh(client, second.refresh_token)).status).toBe(200);
  });
});
