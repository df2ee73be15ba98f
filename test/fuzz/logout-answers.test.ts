/**
 * Property-based fuzzing of GET and POST /oauth2/logout: whatever the request, never a 5xx and
 * never an error in the log; a redirect only to a registered post-logout redirect URI, with
 * nothing added but `state`; every page whole, with the headers of every page and no markup
 * that the templates do not have (whatever the input, it is escaped). `npm run test:fuzz` runs
 * the same property many more times.
 */
import { exports } from "cloudflare:workers";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { OutcomeTally } from "./answer-checks";
import { checkParameters, fuzzRuns, inBatches, isLongRun, timeoutFor } from "./fuzz-settings";
import {
  REGISTERED,
  describeLogoutRequest,
  logoutRequestArbitrary,
  prepareLogoutFixtures,
  toLogoutRequest,
  type LogoutFuzzRequest,
} from "./logout-requests";
import { captureLogs } from "./worker-logs";

const RUNS = fuzzRuns();

/** Outcomes every run must reach, so that a generator that stops reaching them fails the test. */
const MUST_REACH = ["redirect", "signed_out", "confirmation", "refused", "method_not_allowed"];

/** The elements the logout pages are made of; any other tag would be input that got through. */
const TAGS = new Set([
  "html",
  "head",
  "meta",
  "title",
  "style",
  "body",
  "h1",
  "p",
  "strong",
  "form",
  "input",
  "button",
]);

let logs: ReturnType<typeof captureLogs>;
beforeEach(() => {
  logs = captureLogs();
});
afterEach(() => logs.release());

/** Asserts every property of `response` to `request`; returns what kind of answer it was. */
async function checkLogoutAnswer(request: LogoutFuzzRequest, response: Response): Promise<string> {
  const text = await response.text();
  const context = `${describeLogoutRequest(request)}\n→ ${response.status} ${response.headers.get("Location") ?? ""} ${text.slice(0, 300)}`;
  expect(response.status, context).toBeLessThan(500);
  expect(response.headers.get("Access-Control-Allow-Origin"), context).toBeNull();
  expect(response.headers.get("Cache-Control"), context).toBe("no-store");
  if (response.status === 405) {
    expect(JSON.parse(text), context).toEqual({
      error: "invalid_request",
      error_description: "This method is not allowed here.",
    });
    return "method_not_allowed";
  }
  if (response.status === 302) {
    expectRegisteredRedirect(response.headers.get("Location")!, context);
    expect(text, context).toBe("");
    return "redirect";
  }
  expect([200, 400, 413], context).toContain(response.status);
  expect(response.headers.get("Content-Type"), context).toBe("text/html; charset=utf-8");
  expect(response.headers.get("X-Content-Type-Options"), context).toBe("nosniff");
  expect(response.headers.get("Content-Security-Policy"), context).toMatch(/^default-src 'none'; /);
  expect(text.startsWith("<!doctype html>\n"), context).toBe(true);
  for (const [, tag] of text.matchAll(/<\/?([A-Za-z][A-Za-z0-9]*)/g))
    expect(TAGS, context).toContain(tag!.toLowerCase());
  if (response.status !== 200) return "refused";
  return text.includes("<h1>Sign out?</h1>") ? "confirmation" : "signed_out";
}

/** A registered URI exactly, or one with `state` (and nothing else) appended to its query. */
function expectRegisteredRedirect(location: string, context: string): void {
  const registered = REGISTERED.find(
    (uri) => location === uri || location.startsWith(`${uri}${uri.includes("?") ? "&" : "?"}`),
  );
  expect(registered, context).toBeDefined();
  const added = new URLSearchParams(location.slice(registered!.length + 1));
  if (location !== registered) expect([...added.keys()], context).toEqual(["state"]);
}

describe("generated logout requests", () => {
  it(
    "get no 5xx from /oauth2/logout, only a registered redirect, a whole page or 405",
    async () => {
      const tally = new OutcomeTally();
      await inBatches(RUNS, async (runs) => {
        const fixtures = await prepareLogoutFixtures();
        await fc.assert(
          fc.asyncProperty(logoutRequestArbitrary(fixtures), async (request) => {
            const response = await exports.default.fetch(toLogoutRequest(request));
            tally.add({ status: response.status, kind: await checkLogoutAnswer(request, response) });
            expect(logs.errors, describeLogoutRequest(request)).toEqual([]);
          }),
          checkParameters(runs),
        );
      });
      logs.release();
      if (isLongRun()) console.log(`logout: ${RUNS} requests: ${tally.summary()}`);
      for (const kind of MUST_REACH) expect(tally.count(kind), `${kind} in ${tally.summary()}`).toBeGreaterThan(0);
    },
    timeoutFor(RUNS),
  );
});
