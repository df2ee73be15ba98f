/**
 * Token families created the way the authorization_code grant creates them: one call on a new
 * grant object, which answers with the first token response.
 */
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { expect } from "vitest";
import type { Grant } from "../../src/grant/grant";
import { readConfig } from "../../src/config";
import { newSid } from "../../src/grant/sid";
import { serverKeys } from "../../src/secrets/server-keys";
import { FAMILY_KEY, type FamilyState } from "../../src/grant/state";
import type { UserClaims } from "../../src/tokens/claims";
import { BASE } from "./worker";

/** A started family: its sid and its first token response. */
export interface StartedFamily {
  sid: string;
  tokens: { access_token: string; refresh_token: string; id_token?: string; scope: string; [name: string]: unknown };
}

export const ALICE: UserClaims = {
  email: "alice@example.com",
  email_verified: true,
  name: "Alice Liddell",
  given_name: "Alice",
  family_name: "Liddell",
};

/** A new sid made as Baton makes them, with the test project's token secrets. */
export async function newTestSid(): Promise<string> {
  return newSid(await serverKeys(readConfig(env)));
}

/** Starts a family for `clientId` with a user `user_alice`. */
export async function startFamily(
  clientId: string,
  options: { scope?: string; nonce?: string; authTime?: number; organizationId?: string } = {},
): Promise<StartedFamily> {
  const sid = await newTestSid();
  const result = await grantStub(sid).startFamily({
    sid,
    clientId,
    subject: "user_alice",
    scope: (options.scope ?? "openid profile email offline_access").split(" "),
    claims: ALICE,
    authTime: options.authTime ?? Math.floor(Date.now() / 1000) - 60,
    issuer: BASE,
    ...(options.nonce !== undefined && { nonce: options.nonce }),
    ...(options.organizationId !== undefined && { organizationId: options.organizationId }),
  });
  if (!result.ok) throw new Error(`startFamily failed: ${result.reason}`);
  return { sid, tokens: JSON.parse(result.body) };
}

/** The grant object of `sid`. */
export function grantStub(sid: string): DurableObjectStub<Grant> {
  return env.GRANTS.get(env.GRANTS.idFromName(sid));
}

/** Reads the stored family state (undefined once the grant has ended). */
export function readFamily(sid: string): Promise<FamilyState | undefined> {
  return runInDurableObject(grantStub(sid), (_instance, state) => state.storage.kv.get<FamilyState>(FAMILY_KEY));
}

/**
 * Moves the family's clock back by `seconds`: every stored time is shifted into the past, which
 * is what waiting that long would have done, without sleeping.
 */
export async function ageFamily(sid: string, seconds: number): Promise<void> {
  await runInDurableObject(grantStub(sid), (_instance, state) => {
    const family = state.storage.kv.get<FamilyState>(FAMILY_KEY);
    expect(family).toBeDefined();
    const aged: FamilyState = {
      ...family!,
      createdAt: family!.createdAt - seconds,
      lastUsedAt: family!.lastUsedAt - seconds,
      ...(family!.retained && { retained: { ...family!.retained, rotatedAt: family!.retained.rotatedAt - seconds } }),
    };
    state.storage.kv.put(FAMILY_KEY, aged);
  });
}
