/**
 * The refresh token format: `rt_` + base64url(sid ‖ generation ‖ HMAC-SHA256), minted, parsed
 * and verified.
 *
 * @see RFC 6749 §10.10, RFC 9700 §4.14.2
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { readConfig } from "../../src/config";
import { decodeBase64url, encodeBase64url } from "../../src/encoding/base64url";
import { familyMacKeys, mintRefreshToken, parseRefreshToken, verifyRefreshToken } from "../../src/grant/refresh-token";
import { serverKeys } from "../../src/secrets/server-keys";
import { newTestSid as newSid } from "../support/families";

/** The MAC keys of a new family under the test project's secrets (two: as after a rotation). */
async function familyKeys(raw = crypto.getRandomValues(new Uint8Array(32))): Promise<CryptoKey[]> {
  return familyMacKeys(await serverKeys(readConfig(env)), raw);
}

async function familyKey(): Promise<CryptoKey[]> {
  return familyKeys();
}

describe("mintRefreshToken and parseRefreshToken", () => {
  it("mints `rt_` and 91 base64url characters that parse back to the sid and generation", async () => {
    const sid = await newSid();
    const token = await mintRefreshToken((await familyKey())[0]!, sid, 7);

    expect(token).toMatch(/^rt_[A-Za-z0-9_-]{91}$/);
    const parsed = parseRefreshToken(token);
    expect(parsed?.sid).toBe(sid);
    expect(parsed?.generation).toBe(7);
    expect(parsed?.payload.length).toBe(36);
    expect(parsed?.mac.length).toBe(32);
  });

  it.each([0, 1, 255, 65_536, 0xffffffff])("carries generation %i", async (generation) => {
    const token = await mintRefreshToken((await familyKey())[0]!, await newSid(), generation);
    expect(parseRefreshToken(token)?.generation).toBe(generation);
  });

  it("mints a different token for every generation and every family key", async () => {
    const sid = await newSid();
    const [one] = await familyKey();
    const [two] = await familyKey();
    const tokens = [
      await mintRefreshToken(one!, sid, 0),
      await mintRefreshToken(one!, sid, 1),
      await mintRefreshToken(two!, sid, 0),
    ];
    expect(new Set(tokens).size).toBe(3);
    // Deterministic for one key, sid and generation: the object can recompute, never store, it.
    expect(await mintRefreshToken(one!, sid, 0)).toBe(tokens[0]);
  });

  it.each([
    ["empty", ""],
    ["the prefix alone", "rt_"],
    ["one character short", "rt_" + "A".repeat(90)],
    ["one character long", "rt_" + "A".repeat(92)],
    ["another prefix", "xx_" + "A".repeat(91)],
    ["padding", "rt_" + "A".repeat(89) + "=="],
    ["standard base64", "rt_" + "+".repeat(91)],
    ["a non-canonical last character", "rt_" + "A".repeat(90) + "B"],
    ["non-ASCII of the right length", "rt_" + "é".repeat(91)],
    ["100 KB", "rt_" + "A".repeat(100_000)],
  ])("does not parse %s", (_label, text) => {
    expect(parseRefreshToken(text)).toBeUndefined();
  });
});

describe("verifyRefreshToken", () => {
  it("accepts a token under its own family key, by either server secret", async () => {
    const raw = crypto.getRandomValues(new Uint8Array(32));
    const keys = await familyKeys(raw);
    expect(keys).toHaveLength(2);
    for (const key of keys) {
      const token = parseRefreshToken(await mintRefreshToken(key, await newSid(), 3))!;
      expect(await verifyRefreshToken(keys, token)).toBe(true);
    }
  });

  it("refuses a token under another family's key", async () => {
    const token = parseRefreshToken(await mintRefreshToken((await familyKey())[0]!, await newSid(), 3))!;
    expect(await verifyRefreshToken(await familyKey(), token)).toBe(false);
  });

  it("refuses a token keyed by the family key alone, without the server secret", async () => {
    const raw = crypto.getRandomValues(new Uint8Array(32));
    // What someone who read the family's storage could compute: HMAC under the stored key.
    const storageOnly = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    const token = parseRefreshToken(await mintRefreshToken(storageOnly, await newSid(), 3))!;
    expect(await verifyRefreshToken(await familyKeys(raw), token)).toBe(false);
  });

  it.each([
    ["the sid", 0],
    ["the generation", 35],
    ["the MAC", 36],
    ["the MAC's last byte", 67],
  ])("refuses a token with one bit of %s changed", async (_label, index) => {
    const keys = await familyKey();
    const bytes = decodeBase64url((await mintRefreshToken(keys[0]!, await newSid(), 3)).slice(3))!;
    bytes[index]! ^= 0x01;
    const token = parseRefreshToken("rt_" + encodeBase64url(bytes))!;
    expect(token).toBeDefined();
    expect(await verifyRefreshToken(keys, token)).toBe(false);
  });
});
