/** The memory of a session's DPoP proofs: a replay is refused, and a full memory forgets nothing. */
import { describe, expect, it } from "vitest";
import { isReplayed, remember, type SeenProof } from "../../src/grant/dpop-binding";

const NOW = 1_000_000;
const ref = (jtiHash: string, expiresAt = NOW + 300) => ({ jkt: "k", jtiHash, expiresAt });

describe("a session's memory of DPoP proofs", () => {
  it("refuses a live proof seen before and takes it again once it lapsed", () => {
    const seen = remember(undefined, ref("a"), NOW);
    expect(isReplayed(seen, ref("a"), NOW)).toBe(true);
    expect(isReplayed(seen, ref("b"), NOW)).toBe(false);
    expect(isReplayed(seen, ref("a"), NOW + 301)).toBe(false);
  });

  it("refuses new proofs while 300 live ones fill it, rather than forget one that could be replayed", () => {
    let seen: SeenProof[] | undefined;
    for (let i = 0; i < 300; i++) seen = remember(seen, ref(`p${i}`, NOW + 1 + i), NOW);

    expect(isReplayed(seen, ref("new"), NOW)).toBe(true);
    expect(seen).toHaveLength(300);
    // The oldest lapses, and room is made by that alone.
    expect(isReplayed(seen, ref("new"), NOW + 1)).toBe(false);
    expect(remember(seen, ref("new"), NOW + 1)).toHaveLength(300);
  });
});
