/**
 * Resisting brute force against client authentication (RFC 6749 §2.3.1) without lockouts:
 * failures are counted per client_id and source address (`CF-Connecting-IP`) by the
 * CLIENT_AUTH_LIMITER binding (10 per 60 s); past the limit that source's further failures answer
 * 429 `invalid_client` for 60 s. The right secret always authenticates, from any source.
 *
 * The local binding counts in windows aligned to the wall clock, so a run of failures that
 * straddles a window's end starts counting again: such a run proves nothing and is repeated with
 * a fresh client. Time past the block is injected through the clock the Worker reads.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { expectError, expectInvalidClient } from "../http/support-token-endpoint";
import { registerClient, type TestClient } from "../support/clients";
import { startFamily } from "../support/families";
import { basicAuth, refresh } from "../support/token-requests";
import { call } from "../support/worker";

const LIMIT = 10;
const PERIOD_MS = 60_000;
const BLOCKED = "Too many failed client authentications from here; retry later.";
/** The address the failing requests come from, unless a test says otherwise. */
const ATTACKER = "203.0.113.66";
const OWNER = "198.51.100.7";

afterEach(() => {
  vi.useRealTimers();
});

/**
 * A request with Basic credentials `clientId:secret` to an endpoint that authenticates clients
 * (introspection unless told); the body suits each of them, unknown parameters being ignored.
 */
function authenticateAs(
  clientId: string,
  secret: string,
  path = "/oauth2/introspection",
  source = ATTACKER,
): Promise<Response> {
  return call(path, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      Authorization: basicAuth(clientId, secret),
      "CF-Connecting-IP": source,
    },
    body: new URLSearchParams({ token: "any-token", grant_type: "client_credentials" }),
  });
}

/** Asserts the 429 of a throttled source; returns its Retry-After in seconds. */
async function expectBlocked(response: Response): Promise<number> {
  const retryAfter = response.headers.get("Retry-After");
  await expectError(response, { status: 429, error: "invalid_client", description: BLOCKED });
  expect(retryAfter).toMatch(/^[1-9][0-9]*$/);
  return Number(retryAfter);
}

/**
 * Runs `attempts` against a fresh client inside one window of the limiter, trying again with
 * another client when the run straddled a window's end.
 */
async function withinOneWindow<T>(
  attempts: (client: TestClient) => Promise<T>,
): Promise<{ client: TestClient; result: T }> {
  for (let run = 0; run < 3; run++) {
    const client = await registerClient();
    const window = Math.floor(Date.now() / PERIOD_MS);
    const result = await attempts(client);
    if (Math.floor(Date.now() / PERIOD_MS) === window) return { client, result };
  }
  throw new Error("three runs in a row straddled a rate-limit window");
}

/** Fails `LIMIT` times with a wrong secret, then once more; returns all the answers. */
async function failPastTheLimit(client: TestClient): Promise<Response[]> {
  const answers: Response[] = [];
  for (let attempt = 0; attempt <= LIMIT; attempt++)
    answers.push(await authenticateAs(client.client_id, "wrong-secret"));
  return answers;
}

describe("client authentication: failures past the limit", () => {
  it("answers 401 to ten wrong secrets, then 429 with Retry-After to the eleventh", async () => {
    const { result: answers } = await withinOneWindow(failPastTheLimit);

    for (const answer of answers.slice(0, LIMIT)) await expectInvalidClient(answer);
    expect(await expectBlocked(answers[LIMIT]!)).toBe(60);
  });

  it("lets the right secret in at once, from the throttled source and from any other, on every endpoint", async () => {
    const { client } = await withinOneWindow(failPastTheLimit);
    const family = await startFamily(client.client_id);

    for (const source of [ATTACKER, OWNER]) {
      for (const path of ["/oauth2/introspection", "/oauth2/revoke"]) {
        expect((await authenticateAs(client.client_id, client.client_secret!, path, source)).status).toBe(200);
      }
    }
    const refreshed = await refresh(client, family.tokens.refresh_token);
    expect(refreshed.status).toBe(200);
    // The throttled source is still throttled for its failures.
    await expectBlocked(await authenticateAs(client.client_id, "wrong-secret"));
  });

  it("never locks the owner out, whatever another source does with its client_id", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    // Far past the limit, as a lockout attempt would be.
    await Promise.all(Array.from({ length: 5 * LIMIT }, () => authenticateAs(client.client_id, "wrong-secret")));

    const refreshed = await refresh(client, family.tokens.refresh_token, {}, "basic", { "CF-Connecting-IP": OWNER });
    expect(refreshed.status).toBe(200);
    const introspected = await authenticateAs(client.client_id, client.client_secret!, "/oauth2/introspection", OWNER);
    expect(introspected.status).toBe(200);
    // The owner's own mistake is its own 401, not the attacker's 429.
    await expectInvalidClient(await authenticateAs(client.client_id, "typo", "/oauth2/introspection", OWNER));
  });

  it("counts failures at every endpoint that authenticates clients against one limit", async () => {
    const { result: answers } = await withinOneWindow(async (client) => {
      const all: Response[] = [];
      for (const path of ["/oauth2/token", "/oauth2/revoke", "/oauth2/introspection"]) {
        for (let attempt = 0; attempt < 4; attempt++) all.push(await authenticateAs(client.client_id, "wrong", path));
      }
      return all;
    });

    for (const answer of answers.slice(0, LIMIT)) await expectInvalidClient(answer);
    for (const answer of answers.slice(LIMIT)) await expectBlocked(answer);
  });

  it("lets exactly ten of twenty parallel wrong secrets through to a 401", async () => {
    const { result: answers } = await withinOneWindow((client) =>
      Promise.all(Array.from({ length: 2 * LIMIT }, () => authenticateAs(client.client_id, "wrong-secret"))),
    );

    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(LIMIT);
    expect(statuses.filter((status) => status === 429)).toHaveLength(LIMIT);
  });

  it("counts failures for an unknown client_id as well", async () => {
    const { result: answers } = await withinOneWindow(async () => {
      const unknown = `client_unknown_${crypto.randomUUID()}`;
      const all: Response[] = [];
      for (let attempt = 0; attempt <= LIMIT; attempt++) all.push(await authenticateAs(unknown, "guess"));
      return all;
    });

    for (const answer of answers.slice(0, LIMIT)) await expectInvalidClient(answer);
    await expectBlocked(answers[LIMIT]!);
  });

  it("leaves other clients alone while one is throttled for a source", async () => {
    const { client: blocked } = await withinOneWindow(failPastTheLimit);
    const bystander = await registerClient();

    await expectBlocked(await authenticateAs(blocked.client_id, "wrong-secret"));
    const answer = await authenticateAs(bystander.client_id, bystander.client_secret!);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ active: false });
    await expectInvalidClient(await authenticateAs(bystander.client_id, "wrong-secret"));
  });
});

describe("client authentication: the block ends", () => {
  it("counts the block down on the Worker's clock", async () => {
    const { client } = await withinOneWindow(failPastTheLimit);
    const blockedAt = Date.now();

    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(blockedAt + 30_000);
    // Half the block has passed in the Worker's eyes: the answer says so.
    const halfway = await expectBlocked(await authenticateAs(client.client_id, "wrong-secret"));
    expect(halfway).toBeLessThanOrEqual(30);
    expect(halfway).toBeGreaterThanOrEqual(25);

    // The right secret never waits for the block to end.
    expect((await authenticateAs(client.client_id, client.client_secret!)).status).toBe(200);
  });
});

describe("public clients and the failure count", () => {
  it("never counts a public client's failures, so nobody can lock it out with its public client_id", async () => {
    const client = await registerClient({ token_endpoint_auth_method: "none" });
    const family = await startFamily(client.client_id);

    // Well past the limit: a public client has no secret to guess, so these are not counted.
    const answers = await Promise.all(
      Array.from({ length: 2 * LIMIT + 5 }, () => authenticateAs(client.client_id, "guess")),
    );
    for (const answer of answers) await expectInvalidClient(answer);

    const legit = await refresh(client, family.tokens.refresh_token, {}, "none");
    expect(legit.status).toBe(200);
  });
});
