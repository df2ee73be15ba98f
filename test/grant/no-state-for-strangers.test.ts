/**
 * A request nobody authenticated creates no durable state: an authorization request is sealed
 * into its id, not stored, and a token or code whose session id Baton did not make is refused in
 * the Worker before any grant object is touched.
 *
 * @see CONTRACT.md "Storage promises"
 */
import { env } from "cloudflare:workers";
import { listDurableObjectIds } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { encodeBase64url } from "../../src/encoding/base64url";
import { introspect, revoke } from "../revocation/endpoint-requests";
import { registerClient } from "../support/clients";
import { authorizationQuery, authorize, expectLoginHandOff, redeem } from "../support/code-flow";
import { refresh } from "../support/token-requests";
import { expectInvalidGrant } from "../support/assertions";

/** A 32-byte session id with a tag nobody made: the shape of a sid, but not one of Baton's. */
function madeUpSid(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(32));
}

function tokenWith(prefix: string, sid: Uint8Array, rest: number): string {
  const bytes = new Uint8Array(sid.length + rest);
  bytes.set(sid, 0);
  bytes.set(crypto.getRandomValues(new Uint8Array(rest)), sid.length);
  return prefix + encodeBase64url(bytes);
}

async function grantObjects(): Promise<Set<string>> {
  return new Set((await listDurableObjectIds(env.GRANTS)).map((id) => id.toString()));
}

/** The grant objects that exist now and did not in `before`. */
async function addedSince(before: Set<string>): Promise<string[]> {
  return [...(await grantObjects())].filter((id) => !before.has(id));
}

// The runtime's objects are shared with the test files that ran before this one: each test looks
// for objects its own requests added.
describe("no durable state for requests nobody authenticated", () => {
  it("keeps no object for 100 accepted authorization requests", async () => {
    const client = await registerClient({ token_endpoint_auth_method: "none" });
    const before = await grantObjects();
    for (let i = 0; i < 100; i++) {
      const { query } = await authorizationQuery(client);
      expectLoginHandOff(await authorize(query));
    }

    expect(await addedSince(before)).toEqual([]);
  });

  it("refuses refresh tokens, codes, revocations and introspections with made-up sids, touching no object", async () => {
    const client = await registerClient();
    const before = await grantObjects();
    for (let i = 0; i < 10; i++) {
      const refreshToken = tokenWith("rt_", madeUpSid(), 36);
      const code = tokenWith("ac_", madeUpSid(), 32);
      await expectInvalidGrant(await refresh(client, refreshToken));
      await expectInvalidGrant(
        await redeem(client, { code, redirectUri: "https://app.example/callback", codeVerifier: undefined }),
      );
      expect((await revoke(client, refreshToken)).status).toBe(200);
      expect(await (await introspect(client, refreshToken)).json()).toEqual({ active: false });
    }

    expect(await addedSince(before)).toEqual([]);
  });
});
