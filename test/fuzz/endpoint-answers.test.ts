/**
 * Property-based fuzzing of POST /oauth2/token, /oauth2/revoke, /oauth2/introspection and
 * /oauth2/device_authorization:
 * generated bodies, media types, client authentications and tokens, each answer checked against
 * the contract's shape (see answer-checks.ts). `npm run test:fuzz` runs the same properties many
 * more times.
 */
import { exports } from "cloudflare:workers";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { OutcomeTally, checkAnswer } from "./answer-checks";
import { prepareFixtures } from "./fixtures";
import { checkParameters, fuzzRuns, inBatches, isLongRun, timeoutFor } from "./fuzz-settings";
import type { Endpoint } from "./endpoints";
import { describeRequest, requestArbitrary, toRequest } from "./request-arbitraries";
import { captureLogs } from "./worker-logs";

const RUNS = fuzzRuns();

/** Outcomes every run must reach, so that a generator that stops reaching them fails the test. */
const MUST_REACH: Record<Endpoint, string[]> = {
  token: ["ok", "invalid_request", "invalid_client", "invalid_grant", "unsupported_grant_type"],
  revoke: ["ok", "invalid_request", "invalid_client"],
  introspection: ["ok", "invalid_request", "invalid_client"],
  device: ["ok", "invalid_request", "invalid_client", "unauthorized_client"],
};

let logs: ReturnType<typeof captureLogs>;
beforeEach(() => {
  logs = captureLogs();
});
afterEach(() => logs.release());

describe("generated requests", () => {
  it.each(Object.keys(MUST_REACH) as Endpoint[])(
    "get no 5xx from the %s endpoint, only its success shape or a fixed RFC 6749 error",
    async (endpoint) => {
      const tally = new OutcomeTally();
      await inBatches(RUNS, async (runs) => {
        const fixtures = await prepareFixtures();
        await fc.assert(
          fc.asyncProperty(requestArbitrary(endpoint, fixtures), async (request) => {
            const response = await exports.default.fetch(toRequest(request));
            tally.add(await checkAnswer(endpoint, request, response));
            expect(logs.errors, describeRequest(request)).toEqual([]);
          }),
          checkParameters(runs),
        );
      });
      logs.release();
      if (isLongRun()) console.log(`${endpoint}: ${RUNS} requests: ${tally.summary()}`);
      for (const kind of MUST_REACH[endpoint])
        expect(tally.count(kind), `${kind} in ${tally.summary()}`).toBeGreaterThan(0);
    },
    timeoutFor(RUNS),
  );
});
