/**
 * The retry window's sealed answer: only the holder of the token it was given for can open it.
 *
 * @see RFC 5869, NIST SP 800-38D
 */
import { describe, expect, it } from "vitest";
import { openAnswer, sealAnswer } from "../../src/grant/replay";

const SID = "c2lkc2lkc2lkc2lkc2lkcw";
const BODY = JSON.stringify({ access_token: "a.b.c", token_type: "bearer", refresh_token: "rt_next" });

function mac(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(32));
}

describe("sealAnswer and openAnswer", () => {
  it("opens the exact body for the token it was sealed for", async () => {
    const tokenMac = mac();
    const sealed = await sealAnswer(tokenMac, SID, BODY);
    expect(await openAnswer(tokenMac, SID, sealed)).toBe(BODY);
  });

  it("keeps non-ASCII bodies byte for byte", async () => {
    const tokenMac = mac();
    const body = JSON.stringify({ name: "Zoë Ångström 🔑" });
    expect(await openAnswer(tokenMac, SID, await sealAnswer(tokenMac, SID, body))).toBe(body);
  });

  it("does not open for another token", async () => {
    const sealed = await sealAnswer(mac(), SID, BODY);
    expect(await openAnswer(mac(), SID, sealed)).toBeUndefined();
  });

  it("does not open for a token differing in one bit", async () => {
    const tokenMac = mac();
    const sealed = await sealAnswer(tokenMac, SID, BODY);
    const other = tokenMac.slice();
    other[0]! ^= 0x01;
    expect(await openAnswer(other, SID, sealed)).toBeUndefined();
  });

  it("does not open under another family's sid", async () => {
    const tokenMac = mac();
    const sealed = await sealAnswer(tokenMac, SID, BODY);
    expect(await openAnswer(tokenMac, "b3RoZXJvdGhlcm90aGVyMQ", sealed)).toBeUndefined();
  });

  it("does not open a tampered ciphertext or iv", async () => {
    const tokenMac = mac();
    const sealed = await sealAnswer(tokenMac, SID, BODY);
    const ciphertext = sealed.ciphertext.slice();
    ciphertext[0]! ^= 0x01;
    const iv = sealed.iv.slice();
    iv[0]! ^= 0x01;
    expect(await openAnswer(tokenMac, SID, { ...sealed, ciphertext })).toBeUndefined();
    expect(await openAnswer(tokenMac, SID, { ...sealed, iv })).toBeUndefined();
  });

  it("holds no plain text and a fresh iv each time", async () => {
    const tokenMac = mac();
    const one = await sealAnswer(tokenMac, SID, BODY);
    const two = await sealAnswer(tokenMac, SID, BODY);
    expect(one.iv.length).toBe(12);
    expect(one.iv).not.toEqual(two.iv);
    expect(one.ciphertext).not.toEqual(two.ciphertext);
    expect(new TextDecoder().decode(one.ciphertext)).not.toContain("access_token");
  });
});
