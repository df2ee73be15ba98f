// Part 4 of the DPoP check: a session remembers the proofs it accepted until they lapse (5
// minutes), to refuse a replay, and keeps at most 300. Forgetting a live one to make room would
// let it be replayed, so a full memory refuses the next proof instead: 429 invalid_dpop_proof
// with a Retry-After within the proofs' lifetime. The refusal must not spend the refresh token,
// or a busy client would lose its session for Baton's limit: it stays the session's current one.
import * as oauth from "oauth4webapi";
import { INSECURE } from "./setup.mjs";

export async function fullProofMemory(dpopClient, { step, report }) {
  const { as, client } = dpopClient;
  step("full proof memory: sign-in, then refreshes until the session holds 300 live proofs");
  let busy = await dpopClient.signIn();
  let refreshed = 0;
  let refused;
  // 320: a bound past 300, so that a memory that never fills fails here rather than at the deadline.
  while (refused === undefined && refreshed < 320) {
    try {
      busy = await dpopClient.refresh(busy.refresh_token);
      refreshed++;
    } catch (error) {
      if (!(error instanceof oauth.ResponseBodyError)) throw error;
      refused = error;
    }
  }
  // The code's proof and 299 refreshes' fill the memory: the 300th refresh is the first refused.
  if (refreshed !== 299) throw new Error(`the memory filled after ${refreshed} refreshes, not 299`);
  const retryAfter = refused.response.headers.get("retry-after");
  if (refused.status !== 429 || refused.error !== "invalid_dpop_proof" || !/^\d+$/.test(retryAfter ?? "")) {
    throw new Error(`a full memory answered ${refused.status} ${refused.error}, Retry-After ${retryAfter}`);
  }
  if (Number(retryAfter) > 301) throw new Error(`Retry-After ${retryAfter} is beyond the proofs' lifetime`);
  step("full proof memory: the refused refresh token is still the session's current one");
  // Introspection looks at the token without spending it.
  const busyToken = await oauth.processIntrospectionResponse(
    as,
    client,
    await oauth.introspectionRequest(as, client, oauth.None(), busy.refresh_token, INSECURE),
  );
  if (busyToken.active !== true) throw new Error("the refresh token refused for a full memory is no longer active");
  report(
    `full proof memory: ${refreshed} refreshes, then 429 invalid_dpop_proof with Retry-After ${retryAfter} s ` +
      "(oauth4webapi's ResponseBodyError); the refused refresh token still active",
  );
}
