// The cells that run in rounds: a refresh (what every other cell is set against), a token
// exchange and a device poll that is told to slow down, each in a closed loop. A ratio is taken
// between cells of one round, seconds apart, so that the drift of a shared machine's load
// cancels; which rounds count depends on how quiet the machine was during each.
import { form } from "../lib/http.mjs";
import { DISTURBED } from "../lib/summary.mjs";
import { ACCESS_TOKEN_TYPE, FORM, RESOURCE, TOKEN_EXCHANGE_GRANT, refused } from "./fixtures.mjs";
import { watched } from "./storage.mjs";

/** The rounds in which neither the `kind` cell nor the refresh saw other jobs take more than DISTURBED cores. */
export function quietRounds(rounds, kind) {
  return rounds.filter((r) => r.refresh.others <= DISTURBED && r[kind].others <= DISTURBED);
}

/** The rounds a `kind` ratio is taken from: the quiet ones, or `rounds` itself when none is. */
export function countedRounds(rounds, kind) {
  const quiet = quietRounds(rounds, kind);
  return quiet.length > 0 ? quiet : rounds;
}

/**
 * The round cells on `meter` (./meter.mjs): `chains` are the refresh tokens to rotate (replaced
 * as they rotate), `subjects` the access tokens to exchange, `hammered` the codes to poll.
 * @returns `rounds` (each `{ refresh, exchange, poll }`), `round()` to run one more, and
 *   `complete(roundCount)` to run the rounds still wanted
 */
export function roundCells({ meter, stateDir }, clients, { chains, subjects }, hammered) {
  const refreshCell = (label) =>
    meter.closedLoop(
      label,
      (w) => ({
        path: "/oauth2/token",
        headers: FORM,
        body: form({ grant_type: "refresh_token", refresh_token: chains[w], client_id: clients.device.client_id }),
      }),
      (w, response) => {
        if (response.status !== 200) return false;
        // A refresh token is good once: the chain goes on with the one this answer rotated to.
        chains[w] = JSON.parse(response.body).refresh_token;
        return true;
      },
    );
  const exchangeCell = (label) =>
    meter.closedLoop(
      label,
      (w) => ({
        path: "/oauth2/token",
        headers: { ...FORM, Authorization: clients.gatewayAuth },
        body: form({
          grant_type: TOKEN_EXCHANGE_GRANT,
          subject_token: subjects[w],
          subject_token_type: ACCESS_TOKEN_TYPE,
          resource: RESOURCE,
        }),
      }),
      (_, response) => response.status === 200,
    );
  const pollCell = (label) =>
    watched(stateDir, async () => {
      // A code's first poll after its interval is not early: spend it just before the loop.
      await Promise.all(hammered.map((code) => clients.pollOnce(code)));
      return meter.closedLoop(label, (w) => clients.poll(hammered[w]), refused("slow_down"));
    });

  // In reverse order every other round, so that drift within a round cancels too.
  const rounds = [];
  const round = async () => {
    const n = rounds.length + 1;
    const suffix = n === 1 ? "" : ` (round ${n})`;
    const cells = {};
    const order = n % 2 === 1 ? ["refresh", "exchange", "poll"] : ["poll", "exchange", "refresh"];
    for (const kind of order) {
      if (kind === "refresh") cells.refresh = await refreshCell(`refresh${suffix}`);
      if (kind === "exchange") cells.exchange = await exchangeCell(`exchange${suffix}`);
      if (kind === "poll") cells.poll = await pollCell(`poll${suffix}`);
    }
    rounds.push(cells);
  };

  // Another job's load comes and goes on a shared machine: a ratio counts only when neither of
  // its two cells saw other processes use more than DISTURBED cores, and rounds go on (at most
  // two extra) until each ratio has `roundCount` quiet ones. When none is quiet, all count.
  const complete = async (roundCount) => {
    while (
      (quietRounds(rounds, "poll").length < roundCount || quietRounds(rounds, "exchange").length < roundCount) &&
      rounds.length < roundCount + 2
    )
      await round();
  };

  return { rounds, round, complete };
}
