/**
 * Rule 8 of the refresh_token grant: a token that is malformed, unknown or forged, of any length
 * or alphabet, is `invalid_grant`, and a token that does not carry the family's own MAC revokes
 * nothing (knowing a sid must not let anyone end a session).
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { decodeBase64url, encodeBase64url } from "../../src/encoding/base64url";
import { newTestSid } from "../support/families";
import { registerClient } from "../support/clients";
import { ageFamily, grantStub, readFamily, startFamily } from "../support/families";
import { basicAuth, refresh } from "../support/token-requests";
import { call } from "../support/worker";
import { expectInvalidGrant } from "../support/assertions";

/** The 68 bytes behind a refresh token: sid (32) ‖ generation (4) ‖ MAC (32). */
function tokenBytes(token: string): Uint8Array {
  const bytes = decodeBase64url(token.slice("rt_".length));
  expect(bytes?.length).toBe(68);
  return bytes!;
}

function tokenOf(bytes: Uint8Array): string {
  return "rt_" + encodeBase64url(bytes);
}

/** A token in Baton's format whose MAC was never made with any family key. */
function forgedToken(sid: string, generation: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(68));
  bytes.set(decodeBase64url(sid)!, 0);
  new DataView(bytes.buffer).setUint32(32, generation);
  return tokenOf(bytes);
}

// A real token's shape, for variants that keep its length or prefix.
const SHAPE = "rt_" + "A".repeat(91);

describe("refresh_token grant: malformed and unknown tokens", () => {
  it.each([
    ["a single character", "x"],
    ["the prefix alone", "rt_"],
    ["the right prefix, one character short", SHAPE.slice(0, -1)],
    ["the right prefix, one character long", SHAPE + "A"],
    ["the right prefix with base64 padding", SHAPE.slice(0, -2) + "=="],
    ["the right length with a standard-base64 '+'", SHAPE.slice(0, -5) + "+" + SHAPE.slice(-4)],
    ["the right length with a standard-base64 '/'", SHAPE.slice(0, -5) + "/" + SHAPE.slice(-4)],
    ["the right length with punctuation", SHAPE.slice(0, -5) + "!" + SHAPE.slice(-4)],
    ["the right length with an inner space", SHAPE.slice(0, -5) + " " + SHAPE.slice(-4)],
    ["the right length with a non-canonical last character", SHAPE.slice(0, -1) + "B"],
    ["the wrong prefix", "RT_" + SHAPE.slice(3)],
    ["another prefix", "rt-" + SHAPE.slice(3)],
    ["a leading space", " " + SHAPE.slice(0, -1)],
    ["a trailing newline", SHAPE.slice(0, -1) + "\n"],
    ["10 KB of letters", "a".repeat(10_240)],
    ["10 KB after the right prefix", "rt_" + "A".repeat(10_237)],
    ["emoji", "🔑".repeat(10)],
    ["the right length in accented letters", "rt_" + "é".repeat(91)],
    ["the right length in surrogate pairs", "rt_" + "🔑".repeat(45) + "A"],
    ["the right length in NUL characters", "rt_" + "\u0000".repeat(91)],
    ["right-to-left and zero-width characters", "rt_\u202e\u200b" + "A".repeat(89)],
    ["a JWT", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."],
  ])("refuses %s with invalid_grant", async (_label, token) => {
    const client = await registerClient();

    await expectInvalidGrant(await refresh(client, token));
  });

  it("refuses an access token presented as a refresh token", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);

    await expectInvalidGrant(await refresh(client, family.tokens.access_token));

    expect((await readFamily(family.sid))!.generation).toBe(0);
  });

  it("refuses a token of the right format for a sid that does not exist, and leaves nothing stored", async () => {
    const client = await registerClient();
    const sid = await newTestSid();

    await expectInvalidGrant(await refresh(client, forgedToken(sid, 0)));

    const stored = await runInDurableObject(grantStub(sid), (_instance, state) => [...state.storage.kv.list()]);
    expect(stored).toEqual([]);
  });

  it("refuses a token of the right format made only of zero bytes", async () => {
    const client = await registerClient();

    await expectInvalidGrant(await refresh(client, SHAPE));
  });

  it("refuses a real sid with a forged MAC and revokes nothing", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const before = await readFamily(family.sid);
    const bytes = tokenBytes(family.tokens.refresh_token);
    bytes[67]! ^= 0x01;

    await expectInvalidGrant(await refresh(client, tokenOf(bytes)));
    await expectInvalidGrant(await refresh(client, forgedToken(family.sid, 0)));

    expect(await readFamily(family.sid)).toEqual(before);
    expect((await refresh(client, family.tokens.refresh_token)).status).toBe(200);
  });

  it("does not take a forged older generation as proof of reuse", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const current = (await (await refresh(client, family.tokens.refresh_token)).json<{ refresh_token: string }>())
      .refresh_token;
    // Past the retry window, where the real generation 0 would revoke the family.
    await ageFamily(family.sid, 31);
    const before = await readFamily(family.sid);
    const olderWithCurrentMac = tokenBytes(current);
    new DataView(olderWithCurrentMac.buffer).setUint32(32, 0);

    await expectInvalidGrant(await refresh(client, tokenOf(olderWithCurrentMac)));
    await expectInvalidGrant(await refresh(client, forgedToken(family.sid, 0)));

    expect(await readFamily(family.sid)).toEqual(before);
    expect((await refresh(client, current)).status).toBe(200);
  });

  it("refuses a forged future generation and revokes nothing", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const before = await readFamily(family.sid);

    await expectInvalidGrant(await refresh(client, forgedToken(family.sid, 1)));
    await expectInvalidGrant(await refresh(client, forgedToken(family.sid, 0xffffffff)));

    expect(await readFamily(family.sid)).toEqual(before);
  });

  it("refuses one family's token re-addressed to another family and leaves both alone", async () => {
    const client = await registerClient();
    const one = await startFamily(client.client_id);
    const other = await startFamily(client.client_id);
    const before = [await readFamily(one.sid), await readFamily(other.sid)];
    const readdressed = tokenBytes(one.tokens.refresh_token);
    readdressed.set(decodeBase64url(other.sid)!, 0);

    await expectInvalidGrant(await refresh(client, tokenOf(readdressed)));

    expect([await readFamily(one.sid), await readFamily(other.sid)]).toEqual(before);
    expect((await refresh(client, one.tokens.refresh_token)).status).toBe(200);
    expect((await refresh(client, other.tokens.refresh_token)).status).toBe(200);
  });

  it("refuses a token for a grant that never had a refresh token (no offline_access)", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id, { scope: "openid profile" });
    const before = await readFamily(family.sid);

    await expectInvalidGrant(await refresh(client, forgedToken(family.sid, 0)));

    expect(await readFamily(family.sid)).toEqual(before);
  });

  it.each([
    ["is missing", {}],
    ["is empty", { refresh_token: "" }],
  ])("refuses a request whose refresh_token %s with invalid_request", async (_label, params) => {
    const client = await registerClient();
    const body = new URLSearchParams({ grant_type: "refresh_token", ...params });

    const response = await call("/oauth2/token", {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Authorization: basicAuth(client.client_id, client.client_secret!),
      },
      body,
    });

    expect(response.status).toBe(400);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    expect(response.headers.get("Pragma")).toBe("no-cache");
    expect(await response.json()).toEqual({
      error: "invalid_request",
      error_description: "The refresh_token parameter is required.",
    });
  });
});
