/**
 * The refresh token format: `rt_` + base64url(sid ‖ generation ‖ HMAC-SHA256), minted, parsed
 * and verified.
 *
 * @see RFC 6749 §10.10, RFC 9700 §4.14.2
 */
import { describe, expect, it } from "vitest";
import { decodeBase64url, encodeBase64url } from "../../src/encoding/base64url";
import {
  importFamilyKey,
  isSid,
  mintRefreshToken,
  newSid,
  parseRefreshToken,
  verifyRefreshToken,
} from "../../src/grant/refresh-token";

function familyKey(): Promise<CryptoKey> {
  return importFamilyKey(crypto.getRandomValues(new Uint8Array(32)));
}

describe("newSid and isSid", () => {
  it("makes 16-byte random base64url sids that never repeat", () => {
    const sids = Array.from({ length: 1000 }, () => newSid());
    expect(new Set(sids).size).toBe(1000);
    for (const sid of sids) {
      expect(sid).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(isSid(sid)).toBe(true);
    }
  });

  it.each(["", "abc", "A".repeat(21), "A".repeat(23), "A".repeat(21) + "B", "A".repeat(21) + "=", "é".repeat(22)])(
    "does not take %j for a sid",
    (text) => {
      expect(isSid(text)).toBe(false);
    },
  );
});

describe("mintRefreshToken and parseRefreshToken", () => {
  it("mints `rt_` and 70 base64url characters that parse back to the sid and generation", async () => {
    const sid = newSid();
    const token = await mintRefreshToken(await familyKey(), sid, 7);

    expect(token).toMatch(/^rt_[A-Za-z0-9_-]{70}$/);
    const parsed = parseRefreshToken(token);
    expect(parsed?.sid).toBe(sid);
    expect(parsed?.generation).toBe(7);
    expect(parsed?.payload.length).toBe(20);
    expect(parsed?.mac.length).toBe(32);
  });

  it.each([0, 1, 255, 65_536, 0xffffffff])("carries generation %i", async (generation) => {
    const token = await mintRefreshToken(await familyKey(), newSid(), generation);
    expect(parseRefreshToken(token)?.generation).toBe(generation);
  });

  it("mints a different token for every generation and every family key", async () => {
    const sid = newSid();
    const one = await familyKey();
    const two = await familyKey();
    const tokens = [
      await mintRefreshToken(one, sid, 0),
      await mintRefreshToken(one, sid, 1),
      await mintRefreshToken(two, sid, 0),
    ];
    expect(new Set(tokens).size).toBe(3);
    // Deterministic for one key, sid and generation: the object can recompute, never store, it.
    expect(await mintRefreshToken(one, sid, 0)).toBe(tokens[0]);
  });

  it.each([
    ["empty", ""],
    ["the prefix alone", "rt_"],
    ["one character short", "rt_" + "A".repeat(69)],
    ["one character long", "rt_" + "A".repeat(71)],
    ["another prefix", "xx_" + "A".repeat(70)],
    ["padding", "rt_" + "A".repeat(68) + "=="],
    ["standard base64", "rt_" + "+".repeat(70)],
    ["a non-canonical last character", "rt_" + "A".repeat(69) + "B"],
    ["non-ASCII of the right length", "rt_" + "é".repeat(70)],
    ["100 KB", "rt_" + "A".repeat(100_000)],
  ])("does not parse %s", (_label, text) => {
    expect(parseRefreshToken(text)).toBeUndefined();
  });
});

describe("verifyRefreshToken", () => {
  it("accepts a token under its own family key", async () => {
    const key = await familyKey();
    const token = parseRefreshToken(await mintRefreshToken(key, newSid(), 3))!;
    expect(await verifyRefreshToken(key, token)).toBe(true);
  });

  it("refuses a token under another family's key", async () => {
    const token = parseRefreshToken(await mintRefreshToken(await familyKey(), newSid(), 3))!;
    expect(await verifyRefreshToken(await familyKey(), token)).toBe(false);
  });

  it.each([
    ["the sid", 0],
    ["the generation", 19],
    ["the MAC", 20],
    ["the MAC's last byte", 51],
  ])("refuses a token with one bit of %s changed", async (_label, index) => {
    const key = await familyKey();
    const bytes = decodeBase64url((await mintRefreshToken(key, newSid(), 3)).slice(3))!;
    bytes[index]! ^= 0x01;
    const token = parseRefreshToken("rt_" + encodeBase64url(bytes))!;
    expect(token).toBeDefined();
    expect(await verifyRefreshToken(key, token)).toBe(false);
  });
});
