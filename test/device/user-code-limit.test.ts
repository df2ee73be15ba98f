/**
 * Guessing device user codes at /device (RFC 8628 §5.1): each source address may type 10 codes a
 * minute, right or wrong (USER_CODE_LIMITER), then 429 for a minute with no code looked up, the
 * right one included. The right codes count too, before they are looked up: an isolate that has
 * not yet seen a source fail would otherwise tell it, by a 302, which of its guesses was right.
 * An IPv6 source is its /64, and its /48 may type 100 a minute in all (USER_CODE_NETWORK_LIMITER).
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { failureKey } from "../../src/abuse/failure-throttle";
import { ipv6Source } from "../../src/http/source-address";
import type { TestClient } from "../support/clients";
import { LOGIN_URL, callWith } from "../support/code-flow";
import { freshSource, withinOneWindow } from "../support/rate-limit-window";
import { askDevice, registerDeviceClient } from "./device-requests";

const LIMIT = 10;
const NETWORK_LIMIT = 100;
let tv: TestClient;

beforeAll(async () => {
  tv = await registerDeviceClient();
});

async function userCode(): Promise<string> {
  return (await askDevice(tv)).user_code;
}

async function type(code: string, source: string): Promise<Response> {
  const response = await callWith({ LOGIN_URL }, `/device?user_code=${code}`, {
    headers: { "CF-Connecting-IP": source },
  });
  await response.arrayBuffer();
  return response;
}

/** The statuses of `count` wrong codes typed one after another, the n-th from `addressOf(n)`. */
async function typeFrom(count: number, addressOf: (attempt: number) => string): Promise<number[]> {
  const statuses: number[] = [];
  for (let attempt = 0; attempt < count; attempt++) statuses.push((await type("BCDF-GHJK", addressOf(attempt))).status);
  return statuses;
}

function expectTooMany(response: Response): void {
  expect(response.status).toBe(429);
  expect(response.headers.get("Location")).toBeNull();
  expect(response.headers.get("Retry-After")).toMatch(/^[1-9][0-9]*$/);
}

describe("user codes typed per source address", () => {
  it("answers 10 wrong codes with the form again, then 429", async () => {
    const statuses = await withinOneWindow(async (source) => {
      const statuses: number[] = [];
      for (let attempt = 0; attempt <= LIMIT; attempt++) statuses.push((await type("BCDF-GHJK", source)).status);
      return statuses;
    });
    expect(statuses).toEqual([...Array(LIMIT).fill(400), 429]);
  });

  it("looks at no code from a source over the limit, not even the right one, and says when to retry", async () => {
    const code = await userCode();
    const right = await withinOneWindow(async (source) => {
      for (let attempt = 0; attempt <= LIMIT; attempt++) await type("BCDF-GHJK", source);
      return type(code, source);
    });
    expectTooMany(right);
  });

  it("refuses the right code from a source that went over the limit elsewhere, before looking it up", async () => {
    const code = await userCode();
    const right = await withinOneWindow(async (source) => {
      // Another isolate of the location counted these: this one has no block of its own.
      const key = failureKey("user_code", "", ipv6Source(source));
      for (let attempt = 0; attempt < LIMIT; attempt++) await env.USER_CODE_LIMITER.limit({ key });
      return type(code, source);
    });
    expectTooMany(right);
    // The code was not looked at: it still hands its person to the login.
    expect((await type(code, freshSource())).status).toBe(302);
  });

  it("counts the right codes too, so an address may type 10 a minute whatever they are", async () => {
    const code = await userCode();
    const statuses = await withinOneWindow(async (source) => {
      const statuses: number[] = [];
      for (let attempt = 0; attempt <= LIMIT; attempt++) statuses.push((await type(code, source)).status);
      return statuses;
    });
    expect(statuses).toEqual([...Array(LIMIT).fill(302), 429]);
  });

  it("counts a whole IPv6 /48 as well: 100 codes a minute across its /64s, then 429", async () => {
    const statuses = await withinOneWindow(async (source) => {
      const network = source.split(":").slice(0, 3).join(":");
      // Each from a /64 of its own, none near its own limit of 10.
      return typeFrom(NETWORK_LIMIT + 1, (attempt) => `${network}:${attempt.toString(16)}::1`);
    });
    expect(statuses).toEqual([...Array(NETWORK_LIMIT).fill(400), 429]);
  });

  it("keeps one IPv6 /64 one source, whichever of its addresses types", async () => {
    const statuses = await withinOneWindow(async (source) => {
      const prefix = source.split(":").slice(0, 4).join(":");
      return typeFrom(LIMIT + 1, (attempt) => `${prefix}::${(attempt + 1).toString(16)}`);
    });
    expect(statuses).toEqual([...Array(LIMIT).fill(400), 429]);
  });
});
