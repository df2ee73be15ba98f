/**
 * A session's memory of DPoP proofs when it is full: 300 live proofs (RFC 9449 §11.1 leaves the
 * bound to the server). A new proof is then refused as too many, not as a replay, with when to
 * try again; the family is left as it was, and the same request goes through once a remembered
 * proof lapses.
 */
import { runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { expectError } from "../http/support-token-endpoint";
import { registerClient, type TestClient } from "../support/clients";
import { jwtPayload } from "../support/code-flow";
import { grantStub, readFamily } from "../support/families";
import { FAMILY_KEY, type FamilyState } from "../../src/grant/state";
import { dpopFlow, tokenPost, tokens } from "./dpop-flow";
import { newDpopKey, proof } from "./dpop-support";

let spa: TestClient;

beforeAll(async () => {
  spa = await registerClient({ token_endpoint_auth_method: "none" });
});

/** Replaces the family's remembered proofs with `lapsing.length` of them, lapsing at those times. */
function rememberProofs(sid: string, lapsing: number[], kept: FamilyState["dpopSeen"] = []): Promise<void> {
  return runInDurableObject(grantStub(sid), (_instance, state) => {
    const family = state.storage.kv.get<FamilyState>(FAMILY_KEY)!;
    const dpopSeen = [...kept, ...lapsing.map((exp, i) => ({ h: `seen-${i}`, exp }))];
    state.storage.kv.put(FAMILY_KEY, { ...family, dpopSeen });
  });
}

const refreshing = (token: string) => ({ grant_type: "refresh_token", refresh_token: token });

describe("a session whose memory of DPoP proofs is full", () => {
  it("refuses a new proof as too many, says when to retry, changes nothing, and takes it once one lapses", async () => {
    const key = await newDpopKey();
    const first = await tokens((await dpopFlow(key, spa)).response);
    const sid = jwtPayload(first.access_token!).sid as string;
    const now = Math.floor(Date.now() / 1000);
    await rememberProofs(sid, Array(300).fill(now + 200));
    const before = await readFamily(sid);
    const request = await proof(key);

    const refused = await tokenPost(spa, refreshing(first.refresh_token!), request);
    const answeredBy = Math.ceil(Date.now() / 1000);
    const retryAfter = refused.headers.get("Retry-After");
    await expectError(refused, {
      status: 429,
      error: "invalid_dpop_proof",
      description: "Too many DPoP proofs at once; retry later.",
    });
    // When the first remembered proof lapses (now + 200), counted from when it was answered.
    expect(retryAfter).toMatch(/^\d+$/);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(now + 200 - answeredBy);
    expect(Number(retryAfter)).toBeLessThanOrEqual(200);
    expect(await readFamily(sid)).toEqual(before);

    // One of the 300 lapses: the very same request now goes through.
    await rememberProofs(sid, [now, ...Array(299).fill(now + 200)]);
    const next = await tokens(await tokenPost(spa, refreshing(first.refresh_token!), request));
    expect(jwtPayload(next.access_token!).cnf).toEqual({ jkt: key.jkt });
  });

  it("still calls a proof seen before a replay", async () => {
    const key = await newDpopKey();
    const first = await tokens((await dpopFlow(key, spa)).response);
    const once = await proof(key);
    const next = await tokens(await tokenPost(spa, refreshing(first.refresh_token!), once));
    const sid = jwtPayload(first.access_token!).sid as string;
    const family = (await readFamily(sid))!;
    await rememberProofs(sid, Array(299).fill(family.dpopSeen![0]!.exp), family.dpopSeen);

    await expectError(await tokenPost(spa, refreshing(next.refresh_token!), once), {
      status: 400,
      error: "invalid_dpop_proof",
      description: "This DPoP proof was used before.",
    });
  });
});
