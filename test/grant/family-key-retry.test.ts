/**
 * A failed attempt to open a family (signing failed, say) must leave nothing behind that the
 * retry would use: the retry's refresh tokens have to verify against the key it stores, even
 * after the object has been evicted and its memory is gone.
 */
import { env } from "cloudflare:workers";
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { readConfig } from "../../src/config";
import { openFamily } from "../../src/grant/family";
import { newTestSid } from "../support/families";
import type { StartFamilyInput } from "../../src/grant/rpc";
import type { GrantStore } from "../../src/grant/store";
import { registerClient } from "../support/clients";
import { ALICE, grantStub } from "../support/families";
import { refresh } from "../support/token-requests";
import { BASE } from "../support/worker";

describe("opening a family after a failed attempt", () => {
  it("mints the first refresh token with the key it stores, so it still works after an eviction", async () => {
    const client = await registerClient();
    const sid = await newTestSid();
    const now = Math.floor(Date.now() / 1000);
    const input: StartFamilyInput = {
      sid,
      clientId: client.client_id,
      subject: "user_alice",
      scope: ["openid", "offline_access"],
      claims: ALICE,
      authTime: now,
      issuer: BASE,
    };
    const body = await runInDurableObject(grantStub(sid), async (instance) => {
      const store = (instance as unknown as { store: GrantStore }).store;
      const config = readConfig(env);
      await expect(openFamily(store, { ...config, signingKeys: "not json" }, input, now)).rejects.toThrow();
      const result = await openFamily(store, config, input, now);
      if (!result.ok) throw new Error(result.reason);
      return result.body;
    });
    await evictDurableObject(grantStub(sid));

    const response = await refresh(client, JSON.parse(body).refresh_token);

    expect(response.status).toBe(200);
  });
});
