// The limit on guessing user codes (USER_CODE_LIMITER): a user code is short enough to type, so
// one address may type only ten a minute at /device, right or wrong, before it is answered 429. It
// throttles this address at /device for a minute, which is why the entry point runs it last.
import { SCOPE } from "./baton.mjs";

/** 5. Wrong codes until the limit, then the right one from the same address, refused all the same. */
export async function userCodeGuessing(p, { base, post, publicClient }) {
  const live = await post("/oauth2/device_authorization", { client_id: publicClient.client_id, scope: SCOPE });
  const type = async (code) => {
    const answer = await fetch(`${base}/device?user_code=${code}`, { redirect: "manual" });
    await answer.arrayBuffer();
    return answer.status;
  };
  // Codes of the right shape that no device holds (one in 2.56 × 10^10 could clash).
  const wrong = Array.from({ length: 11 }, (_, i) => `ZZZZ-ZZZ${"BCDFGHJKLMN"[i]}`).filter(
    (code) => code !== live.body.user_code,
  );
  // One after another: the limit counts attempts in order. The right codes the earlier parts
  // typed from this address count too, so fewer than ten of these may be looked at. The limiter
  // counts in windows aligned to the clock's minutes: a run that crossed into a new one is run
  // again, wholly inside that one.
  let statuses;
  let right;
  for (let run = 0; run < 2; run++) {
    const minute = Math.floor(Date.now() / 60_000);
    statuses = [];
    for (const code of wrong) statuses.push(await type(code));
    right = await type(live.body.user_code);
    if (Math.floor(Date.now() / 60_000) === minute) break;
  }
  const looked = statuses.indexOf(429);
  p.check(
    looked >= 1 && statuses.slice(0, looked).every((s) => s === 400) && statuses.slice(looked).every((s) => s === 429),
    `${statuses.length} wrong codes: ${looked} × 400 ("That code is not valid"), then 429 ("Too many codes typed"): 10 a minute from one address, the codes earlier parts typed included`,
    statuses.join(" "),
  );
  p.check(
    right === 429,
    "then the right code from the same address: 429 (an address over the limit has no code looked up, the right one included)",
    String(right),
  );
}
