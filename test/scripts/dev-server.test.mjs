import { describe, expect, it } from "vitest";
import { devServerSettings } from "../../scripts/dev-server.mjs";

describe("devServerSettings (the isolated wrangler dev of the checks and benchmarks)", () => {
  it("gives a token secret of 32 random bytes, an admin token of at least 32 characters and one signing key", async () => {
    const settings = await devServerSettings({ algorithm: "EdDSA" });
    expect(Object.keys(settings)).toEqual(["SIGNING_KEYS", "TOKEN_SECRETS", "ADMIN_TOKEN", "DEV_LOGIN"]);
    expect(Buffer.from(settings.TOKEN_SECRETS, "base64url")).toHaveLength(32);
    expect(settings.TOKEN_SECRETS).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(settings.ADMIN_TOKEN.length).toBeGreaterThanOrEqual(32);
    expect(JSON.parse(settings.SIGNING_KEYS).keys.map((key) => key.alg)).toEqual(["EdDSA"]);
  });

  it("makes fresh secrets each time and lets the caller's vars win", async () => {
    const [a, b] = await Promise.all([devServerSettings(), devServerSettings({ vars: { DEV_LOGIN: "false" } })]);
    expect(a.TOKEN_SECRETS).not.toBe(b.TOKEN_SECRETS);
    expect(a.ADMIN_TOKEN).not.toBe(b.ADMIN_TOKEN);
    expect(b.DEV_LOGIN).toBe("false");
  });
});
