import { describe, expect, it } from "vitest";
import { decodeBase64url, encodeBase64url, isBase64url, randomBase64url } from "../../src/encoding/base64url";

// The codec as RFC 4648 §5 spells it, on btoa: what the platform's must agree with.
function reference(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

describe("base64url", () => {
  it("encodes as RFC 4648 §5 without padding, and decodes back, at every length", () => {
    for (let length = 0; length <= 70; length++) {
      const bytes = crypto.getRandomValues(new Uint8Array(length));
      const text = encodeBase64url(bytes);
      expect(text).toBe(reference(bytes));
      expect(decodeBase64url(text)).toEqual(bytes);
    }
    // Every byte value, so that both alphabet's last two characters appear.
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(encodeBase64url(all)).toBe(reference(all));
    expect(encodeBase64url(all)).toMatch(/-.*_|_.*-/);
    expect(decodeBase64url(encodeBase64url(all))).toEqual(all);
  });

  it("refuses every spelling that is not canonical unpadded base64url", () => {
    const refused = [
      "AQ==", // padding
      "AQ=",
      "A", // a length no bytes have
      "AQID_-8A0",
      "AR", // stray low bits: "AQ" is the one spelling of 0x01
      "AQJ",
      "AQ+D", // the base64 alphabet, not base64url's
      "AQ/D",
      "AQ D", // whitespace, which the platform's decoder would skip
      "AQ\nD",
      "\tAQID",
      "AQÉD",
      "AQ%3D",
    ];
    for (const text of refused) {
      expect(decodeBase64url(text), JSON.stringify(text)).toBeUndefined();
      expect(isBase64url(text), JSON.stringify(text)).toBe(false);
    }
    expect(decodeBase64url("")).toEqual(new Uint8Array(0));
    expect(decodeBase64url("AQ")).toEqual(Uint8Array.of(1));
  });

  it("tells canonical base64url without decoding exactly as the decoder does", () => {
    // Every string of up to three characters over the alphabet's edges and a few strangers, and
    // at every length a valid encoding with its last character swapped for each of the 64.
    const characters = [..."AQgBPwz09-_", "=", "+", " "];
    let texts = [""];
    for (let length = 1; length <= 3; length++) {
      texts = texts
        .flatMap((text) => (text.length === length - 1 ? characters.map((c) => text + c) : []))
        .concat(texts);
    }
    const digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (let length = 1; length <= 12; length++) {
      const text = encodeBase64url(crypto.getRandomValues(new Uint8Array(length)));
      for (const last of digits) texts.push(text.slice(0, -1) + last);
    }
    let refused = 0;
    for (const text of texts) {
      expect(isBase64url(text), JSON.stringify(text)).toBe(decodeBase64url(text) !== undefined);
      if (!isBase64url(text)) refused++;
    }
    // Both answers occur many times over, so the comparison is not trivially one-sided.
    expect(refused).toBeGreaterThan(500);
    expect(texts.length - refused).toBeGreaterThan(500);
  });

  it("makes random strings of the length the bytes call for", () => {
    expect(randomBase64url(32)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomBase64url(16)).not.toBe(randomBase64url(16));
  });
});
