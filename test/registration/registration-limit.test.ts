/**
 * Open registration creates durable state for anyone who asks, so each source address
 * (`CF-Connecting-IP`) may register 20 clients a minute (REGISTRATION_LIMITER); past that, 429
 * `temporarily_unavailable` with `Retry-After`, and nothing is created. Refused metadata is not
 * counted: it creates nothing.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { expectError } from "../http/support-token-endpoint";
import { REDIRECT_URI } from "../support/code-flow";
import { freshSource, withinOneWindow } from "../support/rate-limit-window";
import { callerWith } from "../support/worker";

const LIMIT = 20;
const open = callerWith({ DYNAMIC_REGISTRATION: "open" });

function register(source: string, metadata: unknown = { redirect_uris: [REDIRECT_URI] }): Promise<Response> {
  return open("/oauth2/register", {
    method: "POST",
    headers: { "Content-Type": "application/json", "CF-Connecting-IP": source },
    body: JSON.stringify(metadata),
  });
}

async function clientCount(): Promise<number> {
  return (await env.CLIENTS.list({ prefix: "client:" })).keys.length;
}

describe("registrations per source address", () => {
  it("accepts 20 a minute, then answers 429 with Retry-After and creates nothing", async () => {
    const { statuses, refused, created } = await withinOneWindow(async (source) => {
      const statuses: number[] = [];
      for (let attempt = 0; attempt < LIMIT; attempt++) statuses.push((await register(source)).status);
      const before = await clientCount();
      const refused = await register(source);
      return { statuses, refused, created: (await clientCount()) - before };
    });
    expect(statuses).toEqual(Array(LIMIT).fill(201));
    await expectError(refused, {
      status: 429,
      error: "temporarily_unavailable",
      description: "Too many registrations from here; retry later.",
      headers: { "Retry-After": "60", "Access-Control-Allow-Origin": "*" },
    });
    expect(created).toBe(0);
  });

  it("keeps counting one source apart from another", async () => {
    const other = await withinOneWindow(async (source) => {
      for (let attempt = 0; attempt <= LIMIT; attempt++) await register(source);
      return register(freshSource());
    });
    expect(other.status).toBe(201);
  });

  it("counts the addresses of one IPv6 /64 as one source, whose host may use any of them", async () => {
    const refused = await withinOneWindow(async (source) => {
      const prefix = source.split(":").slice(0, 4).join(":");
      const address = (): string =>
        `${prefix}:${Array.from(crypto.getRandomValues(new Uint16Array(4)), (g) => g.toString(16)).join(":")}`;
      for (let attempt = 0; attempt < LIMIT; attempt++) expect((await register(address())).status).toBe(201);
      return register(address());
    });
    expect(refused.status).toBe(429);
  });

  it("does not count refused metadata, which creates nothing", async () => {
    const statuses = await withinOneWindow(async (source) => {
      for (let attempt = 0; attempt < LIMIT + 5; attempt++) {
        expect((await register(source, { redirect_uris: ["javascript:alert(1)"] })).status).toBe(400);
      }
      const statuses: number[] = [];
      for (let attempt = 0; attempt < LIMIT; attempt++) statuses.push((await register(source)).status);
      return statuses;
    });
    expect(statuses).toEqual(Array(LIMIT).fill(201));
  });
});
