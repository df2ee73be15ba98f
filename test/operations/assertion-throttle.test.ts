/**
 * Failed `private_key_jwt` assertions count like wrong secrets (per client_id and source
 * address, 10 per 60 s, then 429 for that source), and a right assertion always authenticates,
 * from the throttled source and from any other: nobody can lock a client out with its client_id.
 *
 * The local limiter counts in windows aligned to the wall clock, so a run of failures that
 * straddles a window's end is repeated with a fresh client (as in client-auth-throttle.test.ts).
 */
import { describe, expect, it } from "vitest";
import { clientKey, postWithAssertion, registerKeyClient, signAssertion, type KeyClient } from "../support/client-keys";
import { expectError, expectInvalidClient } from "../http/support-token-endpoint";

const LIMIT = 10;
const PERIOD_MS = 60_000;
const BLOCKED = "Too many failed client authentications from here; retry later.";
const ATTACKER = "203.0.113.77";
const OWNER = "198.51.100.8";
const MACHINE = { grant_types: ["client_credentials"], redirect_uris: [], scope: "reports:read" };

function present(assertion: string, source: string, path = "/oauth2/token"): Promise<Response> {
  return postWithAssertion(assertion, { grant_type: "client_credentials", token: "x" }, path, {
    "CF-Connecting-IP": source,
  });
}

async function newClient(): Promise<KeyClient> {
  const key = await clientKey("ES256");
  return registerKeyClient(key, { ...MACHINE, jwks: { keys: [key.publicJwk] } });
}

/** Forged assertions for `client`: signed by a key it never registered, under its kid. */
async function forgeries(client: KeyClient, count: number): Promise<string[]> {
  const stranger = await clientKey("ES256", client.key.kid);
  return Promise.all(Array.from({ length: count }, () => signAssertion(client, {}, {}, stranger)));
}

/** Runs `attempts` against a fresh client inside one window of the limiter. */
async function withinOneWindow<T>(
  attempts: (client: KeyClient) => Promise<T>,
): Promise<{ client: KeyClient; result: T }> {
  for (let run = 0; run < 3; run++) {
    const client = await newClient();
    const window = Math.floor(Date.now() / PERIOD_MS);
    const result = await attempts(client);
    if (Math.floor(Date.now() / PERIOD_MS) === window) return { client, result };
  }
  throw new Error("three runs in a row straddled a rate-limit window");
}

async function failPastTheLimit(client: KeyClient): Promise<Response[]> {
  const answers: Response[] = [];
  for (const forged of await forgeries(client, LIMIT + 1)) answers.push(await present(forged, ATTACKER));
  return answers;
}

async function expectBlocked(response: Response): Promise<void> {
  await expectError(response, {
    status: 429,
    error: "invalid_client",
    description: BLOCKED,
    headers: { "Retry-After": "60" },
  });
}

describe("failed assertions and the failure count", () => {
  it("answers 401 to ten forged assertions, then 429 with Retry-After to the eleventh", async () => {
    const { result: answers } = await withinOneWindow(failPastTheLimit);

    for (const answer of answers.slice(0, LIMIT)) await expectInvalidClient(answer);
    await expectBlocked(answers[LIMIT]!);
  });

  it("counts replays of a spent assertion as failures too", async () => {
    const { result: answers } = await withinOneWindow(async (client) => {
      const assertion = await signAssertion(client);
      const all: Response[] = [];
      for (let attempt = 0; attempt <= LIMIT + 1; attempt++) all.push(await present(assertion, ATTACKER));
      return all;
    });

    expect(answers[0]!.status).toBe(200);
    for (const answer of answers.slice(1, LIMIT + 1)) await expectInvalidClient(answer);
    await expectBlocked(answers[LIMIT + 1]!);
  });

  it("lets a right assertion in at once, from the throttled source and from any other, on every endpoint", async () => {
    const { client } = await withinOneWindow(failPastTheLimit);

    for (const source of [ATTACKER, OWNER]) {
      for (const path of ["/oauth2/token", "/oauth2/introspection", "/oauth2/revoke"]) {
        const response = await present(await signAssertion(client), source, path);
        expect(response.status, await response.text()).toBe(200);
      }
    }
    // The throttled source stays throttled for its failures.
    await expectBlocked(await present((await forgeries(client, 1))[0]!, ATTACKER));
  });

  it("never locks the owner out, however many forgeries others send at once", async () => {
    const client = await newClient();
    await Promise.all((await forgeries(client, 5 * LIMIT)).map((forged) => present(forged, ATTACKER)));

    const response = await present(await signAssertion(client), OWNER);
    expect(response.status).toBe(200);
    // The owner's own mistake is its own 401, not the attacker's 429.
    await expectInvalidClient(await present((await forgeries(client, 1))[0]!, OWNER));
  });
});
