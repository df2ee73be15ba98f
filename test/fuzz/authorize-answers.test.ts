/**
 * Property-based fuzzing of GET /oauth2/authorize: whatever the query, never a 5xx and never an
 * error in the log; a redirect only to the login page (with nothing but the sealed request's id)
 * or to a registered redirect URI (with `error`, `iss` and at most `error_description` and
 * `state`); every other answer the refusal page, whole, with no markup its template lacks.
 * `npm run test:fuzz` runs the same property many more times.
 */
import fc from "fast-check";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { LOGIN_URL, callWith } from "../support/code-flow";
import { OutcomeTally } from "./answer-checks";
import { REGISTERED, authorizeQueryArbitrary, prepareAuthorizeFixtures } from "./authorize-requests";
import { checkParameters, fuzzRuns, inBatches, isLongRun, timeoutFor } from "./fuzz-settings";
import { captureLogs } from "./worker-logs";

const RUNS = fuzzRuns();

/** Outcomes every run must reach, so that a generator that stops reaching them fails the test. */
const MUST_REACH = ["login", "error_redirect", "refused"];
const ERROR_PARAMS = new Set(["error", "error_description", "state", "iss"]);

let logs: ReturnType<typeof captureLogs>;
beforeEach(() => {
  logs = captureLogs();
});
afterEach(() => logs.release());

/** The tags of the refusal page's template: any other would be input that got through. */
let tags: Set<string>;
beforeAll(async () => {
  const page = await (await callWith({ LOGIN_URL }, "/oauth2/authorize")).text();
  tags = new Set([...page.matchAll(/<\/?([A-Za-z][A-Za-z0-9]*)/g)].map(([, tag]) => tag!.toLowerCase()));
});

/** A redirect URI the fuzzed clients registered: exactly, or the loopback one on any port. */
function isRegistered(target: URL): boolean {
  const base = `${target.protocol}//${target.host}${target.pathname}`;
  if (REGISTERED.includes(base)) return true;
  return target.protocol === "http:" && target.hostname === "127.0.0.1" && target.pathname === "/cb";
}

async function checkAuthorizeAnswer(query: string, response: Response): Promise<string> {
  const text = await response.text();
  const location = response.headers.get("Location");
  const context = `${query.slice(0, 400)}\n→ ${response.status} ${location ?? ""} ${text.slice(0, 300)}`;
  expect(response.status, context).toBeLessThan(500);
  expect(response.headers.get("Cache-Control"), context).toBe("no-store");
  if (response.status === 302) {
    const target = new URL(location!);
    expect(text, context).toBe("");
    if (`${target.origin}${target.pathname}` === LOGIN_URL) {
      expect([...target.searchParams.keys()], context).toEqual(["authorization_request"]);
      return "login";
    }
    expect(isRegistered(target), context).toBe(true);
    const keys = [...target.searchParams.keys()];
    for (const key of keys) expect(ERROR_PARAMS.has(key), context).toBe(true);
    expect(keys, context).toContain("error");
    expect(keys, context).toContain("iss");
    return "error_redirect";
  }
  expect(response.status, context).toBe(400);
  expect(location, context).toBeNull();
  expect(response.headers.get("Content-Type"), context).toBe("text/html; charset=utf-8");
  expect(response.headers.get("X-Content-Type-Options"), context).toBe("nosniff");
  for (const [, tag] of text.matchAll(/<\/?([A-Za-z][A-Za-z0-9]*)/g))
    expect(tags, context).toContain(tag!.toLowerCase());
  return "refused";
}

describe("generated authorization requests", () => {
  it(
    "get no 5xx from /oauth2/authorize, only the login page, a registered redirect or the refusal page",
    async () => {
      const tally = new OutcomeTally();
      await inBatches(RUNS, async (runs) => {
        const fixtures = await prepareAuthorizeFixtures();
        await fc.assert(
          fc.asyncProperty(authorizeQueryArbitrary(fixtures), async (query) => {
            const response = await callWith({ LOGIN_URL }, `/oauth2/authorize${query}`, { redirect: "manual" });
            tally.add({ status: response.status, kind: await checkAuthorizeAnswer(query, response) });
            expect(logs.errors, query).toEqual([]);
          }),
          checkParameters(runs),
        );
      });
      logs.release();
      if (isLongRun()) console.log(`authorize: ${RUNS} requests: ${tally.summary()}`);
      for (const kind of MUST_REACH) expect(tally.count(kind), `${kind} in ${tally.summary()}`).toBeGreaterThan(0);
    },
    timeoutFor(RUNS),
  );
});
