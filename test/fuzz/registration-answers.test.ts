/**
 * Property-based fuzzing of `POST /oauth2/register` while open: generated client metadata and
 * hostile requests, each answer checked against the contract's shape (answer-checks.ts): never a
 * 5xx, a client information response or an RFC 7591 error with a fixed description that repeats
 * nothing of the input. `npm run test:fuzz` runs the same property many more times.
 */
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { callerWith } from "../support/worker";
import { OutcomeTally, checkAnswer } from "./answer-checks";
import { checkParameters, fuzzRuns, inBatches, isLongRun, timeoutFor } from "./fuzz-settings";
import { registrationRequestArbitrary } from "./registration-requests";
import { describeRequest } from "./request-arbitraries";
import { captureLogs } from "./worker-logs";

const RUNS = fuzzRuns();
/** Outcomes every run must reach, so that a generator that stops reaching them fails the test. */
const MUST_REACH = ["ok", "invalid_request", "invalid_client_metadata", "invalid_redirect_uri"];

const open = callerWith({ DYNAMIC_REGISTRATION: "open", SCOPES: "mcp:tools" });

let logs: ReturnType<typeof captureLogs>;
beforeEach(() => {
  logs = captureLogs();
});
afterEach(() => logs.release());

describe("generated registrations", () => {
  it(
    "get no 5xx, only a client information response or a fixed RFC 7591 error",
    async () => {
      const tally = new OutcomeTally();
      await inBatches(RUNS, async (runs) => {
        await fc.assert(
          fc.asyncProperty(registrationRequestArbitrary(), async (request) => {
            const response = await open(request.path + request.query, {
              method: request.method,
              headers: request.headers,
              body: request.body,
            });
            tally.add(await checkAnswer("register", request, response));
            expect(logs.errors, describeRequest(request)).toEqual([]);
          }),
          checkParameters(runs),
        );
      });
      logs.release();
      if (isLongRun()) console.log(`register: ${RUNS} requests: ${tally.summary()}`);
      for (const kind of MUST_REACH) expect(tally.count(kind), `${kind} in ${tally.summary()}`).toBeGreaterThan(0);
    },
    timeoutFor(RUNS),
  );
});
