/** The memory of a session's DPoP proofs: a replay is refused, and a full memory forgets nothing. */
import { describe, expect, it } from "vitest";
import { proofRefusal, remember, type SeenProof } from "../../src/grant/dpop-binding";

const NOW = 1_000_000;
const ref = (jtiHash: string, expiresAt = NOW + 300) => ({ jkt: "k", jtiHash, expiresAt });

describe("a session's memory of DPoP proofs", () => {
  it("refuses a live proof seen before and takes it again once it lapsed", () => {
    const seen = remember(undefined, ref("a"), NOW);
    expect(proofRefusal(seen, ref("a"), NOW)).toEqual({ reason: "replayed" });
    expect(proofRefusal(seen, ref("b"), NOW)).toBeUndefined();
    expect(proofRefusal(seen, ref("a"), NOW + 301)).toBeUndefined();
  });

  it("refuses new proofs while 300 live ones fill it, rather than forget one that could be replayed", () => {
    let seen: SeenProof[] | undefined;
    for (let i = 0; i < 300; i++) seen = remember(seen, ref(`p${i}`, NOW + 1 + i), NOW);

    // Full until the oldest lapses, a second from now.
    expect(proofRefusal(seen, ref("new"), NOW)).toEqual({ reason: "proofs_full", retryAfter: 1 });
    // A replay is named a replay even then.
    expect(proofRefusal(seen, ref("p0"), NOW)).toEqual({ reason: "replayed" });
    expect(seen).toHaveLength(300);
    // The oldest lapses, and room is made by that alone.
    expect(proofRefusal(seen, ref("new"), NOW + 1)).toBeUndefined();
    expect(remember(seen, ref("new"), NOW + 1)).toHaveLength(300);
  });
});
