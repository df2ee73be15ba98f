/**
 * TOKEN_SECRETS rotation: the first secret makes everything new, every listed secret is
 * accepted, and a secret no longer listed is not. Each purpose has its own key, so a value made
 * for one never passes as another.
 */
import { describe, expect, it } from "vitest";
import { newSid, verifySid } from "../../src/grant/sid";
import { seal, unseal } from "../../src/secrets/seal";
import { serverKeys } from "../../src/secrets/server-keys";

function secret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

const OLD = secret();
const NEW = secret();
const keysOf = (...secrets: string[]) => serverKeys({ tokenSecrets: secrets });

describe("TOKEN_SECRETS rotation", () => {
  it("accepts a sid made under the old secret once a new one is first, and refuses it once the old is gone", async () => {
    const sid = await newSid(await keysOf(OLD));

    expect(await verifySid(await keysOf(NEW, OLD), sid)).toBe(true);
    expect(await verifySid(await keysOf(NEW), sid)).toBe(false);
  });

  it("makes new sids under the first secret", async () => {
    const sid = await newSid(await keysOf(NEW, OLD));

    expect(await verifySid(await keysOf(NEW), sid)).toBe(true);
    expect(await verifySid(await keysOf(OLD), sid)).toBe(false);
  });

  it("refuses a sid whose tag was changed by one bit", async () => {
    const keys = await keysOf(NEW);
    const sid = await newSid(keys);
    const changed = sid.slice(0, -2) + (sid.at(-2) === "A" ? "B" : "A") + sid.at(-1);

    expect(await verifySid(keys, changed)).toBe(false);
  });

  it("opens a value sealed under the old secret once a new one is first, and not once the old is gone", async () => {
    const sealed = await seal(await keysOf(OLD), "authorization request", { sid: "x", n: 1 });

    expect(await unseal(await keysOf(NEW, OLD), "authorization request", sealed)).toEqual({ sid: "x", n: 1 });
    expect(await unseal(await keysOf(NEW), "authorization request", sealed)).toBeUndefined();
  });

  it("never opens a value sealed for one purpose as another", async () => {
    const keys = await keysOf(NEW);
    const sealed = await seal(keys, "dev login form", { request: "r" });

    expect(await unseal(keys, "authorization request", sealed)).toBeUndefined();
    expect(await unseal(keys, "dev login form", sealed)).toEqual({ request: "r" });
  });

  it.each([
    ["empty", ""],
    ["not base64url", "!!!"],
    ["too short to be sealed", "AAAA"],
    ["far too long", "A".repeat(20_000)],
  ])("opens nothing that is %s", async (_label, text) => {
    expect(await unseal(await keysOf(NEW), "authorization request", text)).toBeUndefined();
  });
});
