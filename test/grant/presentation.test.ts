/**
 * The pure decision behind the refresh_token grant, at its boundaries: which client, which
 * lifetime, which generation, which retry window.
 */
import { describe, expect, it } from "vitest";
import { classifyPresentation } from "../../src/grant/presentation";
import type { FamilyLifetimes, FamilyState } from "../../src/grant/state";

const NOW = 1_800_000_000;
const LIFETIMES: FamilyLifetimes = { accessTokenTtl: 300, idleTtl: 1_209_600, absoluteTtl: 7_776_000, retryWindow: 30 };

/** A family at generation 3 that rotated from 2 ten seconds ago. */
function family(overrides: Partial<FamilyState> = {}): FamilyState {
  return {
    sid: "c2lkc2lkc2lkc2lkc2lkcw",
    issuer: "https://baton.test",
    clientId: "client_owner",
    subject: "user_alice",
    scope: ["openid", "offline_access"],
    claims: {},
    authTime: NOW - 86_400,
    createdAt: NOW - 86_400,
    lastUsedAt: NOW - 10,
    familyKey: new Uint8Array(32),
    generation: 3,
    retained: { generation: 2, rotatedAt: NOW - 10, sealed: { iv: new Uint8Array(12), ciphertext: new Uint8Array(0) } },
    ...overrides,
  };
}

describe("classifyPresentation", () => {
  it("rotates the current generation for its own client", () => {
    expect(classifyPresentation(family(), 3, "client_owner", NOW, LIFETIMES)).toEqual({ kind: "current" });
  });

  it("retries the generation just retired inside the window", () => {
    expect(classifyPresentation(family(), 2, "client_owner", NOW, LIFETIMES)).toEqual({ kind: "retry" });
  });

  it("retries on the window's last second and finds reuse one second later", () => {
    const state = family({ retained: { ...family().retained!, rotatedAt: NOW - 30 } });
    expect(classifyPresentation(state, 2, "client_owner", NOW, LIFETIMES)).toEqual({ kind: "retry" });
    expect(classifyPresentation(state, 2, "client_owner", NOW + 1, LIFETIMES)).toEqual({ kind: "reused" });
  });

  it("finds reuse in the just-retired generation when the retry window is 0", () => {
    const state = family({ retained: { ...family().retained!, rotatedAt: NOW } });
    expect(classifyPresentation(state, 2, "client_owner", NOW, { ...LIFETIMES, retryWindow: 0 })).toEqual({
      kind: "reused",
    });
  });

  it.each([0, 1])("finds reuse in the older generation %i, inside the window or not", (generation) => {
    expect(classifyPresentation(family(), generation, "client_owner", NOW, LIFETIMES)).toEqual({ kind: "reused" });
  });

  it("finds reuse in a retired generation when no answer is retained", () => {
    const { retained: _dropped, ...withoutRetained } = family();
    expect(classifyPresentation(withoutRetained, 2, "client_owner", NOW, LIFETIMES)).toEqual({ kind: "reused" });
  });

  it.each([3, 2, 0])("refuses another client with generation %i before anything else is decided", (generation) => {
    const expired = family({ lastUsedAt: NOW - LIFETIMES.idleTtl - 1 });
    expect(classifyPresentation(family(), generation, "client_other", NOW, LIFETIMES)).toEqual({
      kind: "wrong_client",
    });
    expect(classifyPresentation(expired, generation, "client_other", NOW, LIFETIMES)).toEqual({
      kind: "wrong_client",
    });
  });

  it("expires the family once it sat idle for the idle lifetime, and not a second before", () => {
    const state = family({ lastUsedAt: NOW - LIFETIMES.idleTtl + 1 });
    expect(classifyPresentation(state, 3, "client_owner", NOW, LIFETIMES)).toEqual({ kind: "current" });
    expect(classifyPresentation(state, 3, "client_owner", NOW + 1, LIFETIMES)).toEqual({ kind: "expired" });
  });

  it("expires the family at its absolute lifetime however recently it was used", () => {
    const state = family({ createdAt: NOW - LIFETIMES.absoluteTtl + 1, lastUsedAt: NOW });
    expect(classifyPresentation(state, 3, "client_owner", NOW, LIFETIMES)).toEqual({ kind: "current" });
    expect(classifyPresentation(state, 3, "client_owner", NOW + 1, LIFETIMES)).toEqual({ kind: "expired" });
  });

  it("expires rather than replays or finds reuse once the family's life is over", () => {
    const state = family({ createdAt: NOW - LIFETIMES.absoluteTtl });
    for (const generation of [3, 2, 0]) {
      expect(classifyPresentation(state, generation, "client_owner", NOW, LIFETIMES)).toEqual({ kind: "expired" });
    }
  });
});
