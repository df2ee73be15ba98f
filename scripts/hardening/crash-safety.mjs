#!/usr/bin/env node
// `npm run test:crash`: refresh chains survive a crash of the runtime. An isolated `wrangler dev`
// serves K token families; K chains refresh under load (some sending each request twice at
// once, as a retrying client does); the whole process group is SIGKILLed mid-load and restarted
// on the same state. Then every chain must continue from the last refresh token it holds:
//
// - A chain whose last request was answered holds an acknowledged token. It must still be the
//   current one (introspection, which never counts as reuse, says so), and it must refresh: an
//   acknowledged rotation is never lost or undone.
// - A chain whose last request was in flight at the kill does not know whether that rotation
//   committed. Introspection tells: current (it did not) or retired (it did). Presenting the
//   token again must succeed either way, and agree: a fresh rotation for a current token, the
//   replay of the answer the crash lost for a retired one (the retry window). Answers are told
//   apart by their access token's `iat`: before the kill, or after the restart.
// - Either way, that token presented once more returns the very same answer, byte for byte: the
//   family has exactly one successor. The successor refreshes; after that, the held token is
//   reuse and ends the family.
//
// The retry window is the default 30 s; the restart takes a few seconds.
//
// Prints a summary; exits 1 on any violation. Loads only 127.0.0.1.
import { performance } from "node:perf_hooks";
import { restartDevServer, startDevServer } from "../dev-server.mjs";
import { mapBounded } from "../map-bounded.mjs";
import { batonClient, generationOf, isInvalidGrant, issuedAt } from "./baton-client.mjs";

// Enough chains that, on two cores, answers queue up and some rotations commit whose answers
// the kill then loses: the case the retry window exists for.
const FAMILIES = Number(process.env.CRASH_FAMILIES ?? 40);
/** How long the chains run before the kill (ms): long enough for many rotations per chain. */
const LOAD_MS = Number(process.env.CRASH_LOAD_MS ?? 2500);
/** One request in this many is sent twice at once, like a client that retries too early. */
const DUPLICATE_EVERY = 4;
/** The retry window in force (the default of REFRESH_RETRY_WINDOW). */
const RETRY_WINDOW_S = 30;

const started = performance.now();
const violations = [];
const violation = (chain, what) => violations.push(`family ${chain.index} (${chain.sid}): ${what}`);

let server = await startDevServer();
try {
  const baton = batonClient(server);
  const client = await baton.registerClient();
  const chains = await mapBounded(
    Array.from({ length: FAMILIES }, (_, i) => i),
    10,
    async (index) => {
      const { sid, tokens } = await baton.openFamily(client, `user_crash_${index}`);
      return {
        index,
        sid,
        /** Every refresh token this chain received in a 200 answer, oldest first. */
        acknowledged: [tokens.refresh_token],
        /** The token of a request in flight when the runtime died (its answer lost). */
        inFlight: undefined,
        rotations: 0,
        duplicates: 0,
      };
    },
  );
  console.log(`crash-safety: ${FAMILIES} families opened through the code flow in ${seconds(started)} s`);

  // Load: every chain refreshes as fast as it can until the kill.
  let killed = false;
  const loadStarted = performance.now();
  const load = Promise.all(chains.map((chain) => runChain(baton, client, chain, () => killed)));
  await sleep(LOAD_MS);
  // The signal goes first: a request sent after it finds no server and counts as in flight.
  const killedAt = Date.now();
  const stopped = server.stop("SIGKILL", { keepState: true });
  killed = true;
  await stopped;
  await load;
  const rotations = chains.reduce((n, c) => n + c.rotations, 0);
  const inFlight = chains.filter((c) => c.inFlight !== undefined).length;
  console.log(
    `crash-safety: ${rotations} rotations acknowledged in ${seconds(loadStarted)} s ` +
      `(${chains.reduce((n, c) => n + c.duplicates, 0)} of them answered twice to duplicates); ` +
      `SIGKILL with ${inFlight} of ${FAMILIES} chains waiting for an answer`,
  );

  const restartStarted = performance.now();
  server = await restartDevServer(server);
  const downFor = (Date.now() - killedAt) / 1000;
  console.log(
    `crash-safety: restarted on the same state in ${seconds(restartStarted)} s (down ${downFor.toFixed(1)} s)`,
  );
  if (downFor >= RETRY_WINDOW_S - 5) {
    throw new Error(
      `the restart took ${downFor.toFixed(1)} s: too close to the ${RETRY_WINDOW_S} s retry window to judge`,
    );
  }

  // Answers are told apart by their second-resolution `iat`: let the clock pass the kill's second.
  await sleep(Math.max(0, killedAt + 1100 - Date.now()));
  const outcome = { replayed: 0, rotatedAfterRestart: 0 };
  await mapBounded(chains, 10, (chain) => checkChain(batonClient(server), client, chain, killedAt, outcome));
  console.log(
    `crash-safety: of ${inFlight} answers lost in the crash, ${outcome.replayed} had committed (replayed ` +
      `byte for byte) and ${outcome.rotatedAfterRestart} had not (rotated after the restart)`,
  );
} catch (error) {
  violations.push(`the check could not run: ${error.message}`);
} finally {
  await server.stop("SIGKILL");
}

for (const line of violations) console.log(`VIOLATION ${line}`);
console.log(
  `crash-safety: ${violations.length === 0 ? "passed" : `FAILED (${violations.length} violations)`} in ${seconds(started)} s`,
);
process.exit(violations.length === 0 ? 0 : 1);

/** One chain: refresh with the last token received until the kill, checking each answer. */
async function runChain(baton, client, chain, isKilled) {
  while (!isKilled()) {
    const token = chain.acknowledged.at(-1);
    const twice = (chain.rotations + chain.index) % DUPLICATE_EVERY === 0;
    let answers;
    try {
      answers = await Promise.all(Array.from({ length: twice ? 2 : 1 }, () => baton.refresh(client, token)));
    } catch {
      // The runtime died with this request in flight: its answer is lost, whether or not the
      // rotation committed.
      chain.inFlight = token;
      return;
    }
    const [first, second] = answers;
    // A 5xx after the signal is wrangler's proxy outliving the runtime by a moment: the answer
    // is lost all the same.
    if (isKilled() && answers.some((a) => a.status >= 500)) {
      chain.inFlight = token;
      return;
    }
    if (first.status !== 200) {
      return violation(chain, `refresh before the crash answered ${first.status} ${first.text}`);
    }
    if (second !== undefined) {
      if (second.text !== first.text) return violation(chain, "two simultaneous requests got different answers");
      chain.duplicates++;
    }
    const next = JSON.parse(first.text).refresh_token;
    if (generationOf(next) !== generationOf(token) + 1) {
      return violation(chain, `generation ${generationOf(next)} followed ${generationOf(token)}`);
    }
    chain.acknowledged.push(next);
    chain.rotations++;
  }
}

/** After the restart: the chain continues from the last token it holds, with one successor. */
async function checkChain(baton, client, chain, killedAt, outcome) {
  const held = chain.acknowledged.at(-1);
  // Looking first, without touching: the held token is current unless the lost request rotated
  // it, and the one before it is retired.
  const heldCurrent = await baton.isActive(client, held);
  if (chain.inFlight === undefined && !heldCurrent)
    return violation(chain, "the last acknowledged token is not current");
  const previous = chain.acknowledged.at(-2);
  if (previous !== undefined && (await baton.isActive(client, previous))) {
    return violation(chain, "an acknowledged rotation was undone: the token before the last is current again");
  }
  const first = await baton.refresh(client, held);
  if (first.status !== 200) {
    const which = chain.inFlight === undefined ? "the last acknowledged token" : "the token whose answer was lost";
    return violation(chain, `${which} was refused after the restart: ${first.status} ${first.text}`);
  }
  const answer = JSON.parse(first.text);
  // An answer made before the kill is a replay of the one the crash lost.
  const replayed = issuedAt(answer.access_token) * 1000 < killedAt;
  // Introspection and the answer must tell the same story: a current token rotates now, a
  // retired one (its rotation committed before the kill) gets the answer the crash lost.
  if (replayed === heldCurrent) {
    return violation(
      chain,
      heldCurrent
        ? "the current token was answered with an answer from before the crash"
        : "a retired token got a fresh rotation: a second successor",
    );
  }
  if (chain.inFlight !== undefined) outcome[replayed ? "replayed" : "rotatedAfterRestart"]++;

  const again = await baton.refresh(client, held);
  if (again.status !== 200 || again.text !== first.text) {
    return violation(chain, `presenting the held token again was not a byte-identical replay: ${again.status}`);
  }
  const successor = answer.refresh_token;
  if (generationOf(successor) !== generationOf(held) + 1) {
    return violation(chain, `the successor has generation ${generationOf(successor)} after ${generationOf(held)}`);
  }
  const onward = await baton.refresh(client, successor);
  if (onward.status !== 200) return violation(chain, `the successor was refused: ${onward.status} ${onward.text}`);

  // The successor is used: the held token is spent for good, and presenting it is reuse.
  const reuse = await baton.refresh(client, held);
  if (!isInvalidGrant(reuse)) return violation(chain, `reuse after the successor was used answered ${reuse.status}`);
  const after = await baton.refresh(client, JSON.parse(onward.text).refresh_token);
  if (!isInvalidGrant(after)) return violation(chain, `the family still works after reuse: ${after.status}`);
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function seconds(since) {
  return ((performance.now() - since) / 1000).toFixed(1);
}
