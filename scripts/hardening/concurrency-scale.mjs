#!/usr/bin/env node
// `npm run test:scale`: exactly one successor per family, at scale. An isolated `wrangler dev`
// gets 1,000 families (each through the authorization code flow); then every family's refresh
// token is sent 5 times at once. For every family:
//
// - all 5 answers are 200 and byte-identical: one successor was minted, and the duplicates got
//   the retry window's replay of that one answer;
// - the successor refreshes (the duplicates revoked nothing), one generation on;
// - the original, presented after its successor was used, is reuse: 400 invalid_grant.
//
// Prints counts and timings; exits 1 on any violation. Loads only 127.0.0.1, bounded in count
// (SCALE_FAMILIES, default 1000) and in concurrency.
import { performance } from "node:perf_hooks";
import { startDevServer } from "../dev-server.mjs";
import { mapBounded } from "../map-bounded.mjs";
import { batonClient, generationOf, isInvalidGrant } from "./baton-client.mjs";

const FAMILIES = Number(process.env.SCALE_FAMILIES ?? 1000);
const DUPLICATES = 5;
/** Families opened at once (each open is three requests in sequence; the runtime is the limit). */
const OPEN_CONCURRENCY = 64;
/** Families hit at once: this many times DUPLICATES requests in flight. */
const HIT_CONCURRENCY = 40;

const started = performance.now();
/** Violations by kind: the families concerned, and the first example's detail. */
const violations = new Map();
const violation = (kind, family, detail = "") => {
  if (!violations.has(kind)) violations.set(kind, { sids: [], detail });
  violations.get(kind).sids.push(family.sid);
};
const counts = { answered200: 0, identical: 0, successorWorks: 0, reuseRefused: 0 };

const server = await startDevServer();
try {
  const baton = batonClient(server);
  const client = await baton.registerClient();

  let phase = performance.now();
  const families = await mapBounded(
    Array.from({ length: FAMILIES }, (_, i) => i),
    OPEN_CONCURRENCY,
    async (index) => {
      const { sid, tokens } = await baton.openFamily(client, `user_scale_${index}`);
      return { sid, original: tokens.refresh_token };
    },
  );
  report(`opened ${FAMILIES} families through the code flow (${OPEN_CONCURRENCY} at a time)`, phase, FAMILIES * 3);

  phase = performance.now();
  await mapBounded(families, HIT_CONCURRENCY, async (family) => {
    const answers = await Promise.all(Array.from({ length: DUPLICATES }, () => baton.refresh(client, family.original)));
    const ok = answers.filter((a) => a.status === 200).length;
    counts.answered200 += ok;
    if (ok !== DUPLICATES) {
      const refused = answers.find((a) => a.status !== 200);
      return violation(`not all ${DUPLICATES} duplicates answered 200`, family, `${refused.status} ${refused.text}`);
    }
    if (answers.some((a) => a.text !== answers[0].text)) return violation("duplicates got different answers", family);
    counts.identical++;
    family.successor = JSON.parse(answers[0].text).refresh_token;
  });
  report(
    `sent ${DUPLICATES} simultaneous refreshes to each family (${HIT_CONCURRENCY} families at a time)`,
    phase,
    FAMILIES * DUPLICATES,
  );

  phase = performance.now();
  await mapBounded(
    families.filter((f) => f.successor !== undefined),
    HIT_CONCURRENCY,
    async (family) => {
      const onward = await baton.refresh(client, family.successor);
      if (onward.status !== 200) {
        return violation("the successor was refused (a false revocation)", family, `${onward.status} ${onward.text}`);
      }
      if (generationOf(JSON.parse(onward.text).refresh_token) !== generationOf(family.original) + 2) {
        return violation("the family skipped a generation (a second successor)", family);
      }
      counts.successorWorks++;
      const reuse = await baton.refresh(client, family.original);
      if (!isInvalidGrant(reuse)) {
        return violation(
          "the original was not refused as reuse",
          family,
          `${reuse.status} ${reuse.text.slice(0, 200)}`,
        );
      }
      counts.reuseRefused++;
    },
  );
  report("checked each successor once and the original as reuse", phase, counts.identical * 2);
} catch (error) {
  violation(`the check could not run: ${error.message}`, { sid: "-" });
  console.log(`wrangler dev said:\n${server.output().split("\n").slice(-30).join("\n")}`);
} finally {
  await server.stop();
}

console.log(
  `concurrency-scale: ${FAMILIES} families; ${counts.answered200} of ${FAMILIES * DUPLICATES} duplicate requests ` +
    `answered 200; ${counts.identical} families with ${DUPLICATES} byte-identical answers (one successor); ` +
    `${counts.successorWorks} successors worked; ${counts.reuseRefused} originals refused as reuse`,
);
for (const [kind, { sids, detail }] of violations) {
  const some = `${sids.slice(0, 5).join(", ")}${sids.length > 5 ? ", …" : ""}`;
  console.log(`VIOLATION ${kind}: ${sids.length} families (${some})${detail === "" ? "" : `; first: ${detail}`}`);
}
const failed = [...violations.values()].reduce((n, v) => n + v.sids.length, 0);
console.log(`concurrency-scale: ${failed === 0 ? "passed" : `FAILED (${failed} violations)`} in ${seconds(started)} s`);
process.exit(failed === 0 ? 0 : 1);

function report(what, since, requests) {
  const s = (performance.now() - since) / 1000;
  console.log(
    `concurrency-scale: ${what}: ${s.toFixed(1)} s, ${requests} requests, ${(requests / s).toFixed(0)} req/s`,
  );
}

function seconds(since) {
  return ((performance.now() - since) / 1000).toFixed(1);
}
