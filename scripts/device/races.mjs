// The two races of the device check. A device code is good once, and a device that polls from
// several threads (or retries too early) must not get two token families for one approval: of
// ten polls at the moment of approval exactly one wins. A subject token, by contrast, may be
// exchanged any number of times: twenty exchanges at once must all succeed, each with a token of
// its own that the resource server accepts.
import { decodeJwt } from "jose";
import { DEVICE_CODE_GRANT, SCOPE } from "./baton.mjs";
import { person } from "./person.mjs";

/** 4a. Raw POSTs, because no client library sends ten polls at once. */
export async function pollRace(p, baton) {
  const { post, publicClient } = baton;
  const ask = await post("/oauth2/device_authorization", { client_id: publicClient.client_id, scope: SCOPE });
  await person(p, baton, {
    verificationUri: ask.body.verification_uri,
    typed: ask.body.user_code,
    subject: "user_race",
    approve: true,
  });
  const answers = await Promise.all(
    Array.from({ length: 10 }, () =>
      post("/oauth2/token", {
        grant_type: DEVICE_CODE_GRANT,
        device_code: ask.body.device_code,
        client_id: publicClient.client_id,
      }),
    ),
  );
  const winners = answers.filter((a) => a.status === 200);
  const others = answers.filter((a) => a.status !== 200);
  const tally = {};
  for (const a of answers) {
    const key = a.status === 200 ? "200" : `${a.status} ${a.body?.error}`;
    tally[key] = (tally[key] ?? 0) + 1;
  }
  p.check(
    winners.length === 1 && others.every((a) => a.status === 400 && a.body?.error === "invalid_grant"),
    `10 polls at once: exactly one 200, the other nine invalid_grant (${JSON.stringify(tally)})`,
    JSON.stringify(tally),
  );
  // Winning must have opened a real family, one that refreshes.
  if (winners.length === 1) {
    const refreshed = await post("/oauth2/token", {
      grant_type: "refresh_token",
      refresh_token: winners[0].body.refresh_token,
      client_id: publicClient.client_id,
    });
    p.check(refreshed.status === 200, `the winner's refresh token works: 200`, refreshed.status);
  }
}

/**
 * 4b. Run from inside the token exchange part, on its subject token and resource server, while
 * the session is still live. Resolves with the twenty answers' bodies, so that part can show the
 * session's end reaching them too.
 */
export async function exchangeRace(p, { exchangeRequest, fields, callApi }) {
  const many = await Promise.all(Array.from({ length: 20 }, () => exchangeRequest(fields)));
  const statuses = many.map((r) => r.status);
  const bodies = await Promise.all(many.map((r) => r.json()));
  const jtis = new Set(bodies.map((b) => b.access_token && decodeJwt(b.access_token).jti));
  const usable = await Promise.all(bodies.map((b) => callApi(b.access_token)));
  p.check(
    statuses.every((s) => s === 200) && jtis.size === 20,
    `20 exchanges at once: ${statuses.filter((s) => s === 200).length} × 200, ${jtis.size} distinct tokens`,
    JSON.stringify(statuses),
  );
  p.check(
    usable.every((u) => u.status === 200),
    `the resource server accepts all ${usable.filter((u) => u.status === 200).length}`,
  );
  return bodies;
}
