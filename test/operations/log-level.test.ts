/**
 * LOG_LEVEL sets the lowest level written (each request is one `info` line; reuse and abuse
 * `warn`; failures `error`), and a request whose body breaks off mid-way (the client went away)
 * is logged as such, not as an unhandled failure.
 */
import { env } from "cloudflare:workers";
import { createExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import type { Env } from "../../src/env";
import { expectError } from "../http/support-token-endpoint";
import { captureConsoleLines } from "../support/console-capture";
import { registerClient } from "../support/clients";
import { withinOneWindow } from "../support/rate-limit-window";
import { basicAuth } from "../support/token-requests";
import { BASE } from "../support/worker";

const consoleLines = captureConsoleLines();

function send(settings: Partial<Env>, request: Request): Promise<Response> {
  return worker.fetch(request, { ...env, ...settings }, createExecutionContext());
}

function logged(): Record<string, unknown>[] {
  return consoleLines().map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("LOG_LEVEL", () => {
  it.each([
    ["debug", 1],
    ["info", 1],
    ["warn", 0],
    ["error", 0],
  ])("at %s writes %i request line for an ordinary request", async (level, lines) => {
    await send({ LOG_LEVEL: level }, new Request(`${BASE}/oauth2/jwks`));

    expect(logged().filter((line) => line.message === "request")).toHaveLength(lines);
  });

  it("writes a warn line for a source refused for failing too often, without its address", async () => {
    const client = await registerClient();
    let source = "";
    const statuses = await withinOneWindow(async (fresh) => {
      source = fresh;
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 11; attempt++) {
        const request = new Request(`${BASE}/oauth2/token`, {
          method: "POST",
          headers: {
            "Content-Type": "application/x-www-form-urlencoded",
            "CF-Connecting-IP": source,
            Authorization: basicAuth(client.client_id, "wrong"),
          },
          body: new URLSearchParams({ grant_type: "client_credentials" }),
        });
        const response = await send({ LOG_LEVEL: "warn" }, request);
        await response.body?.cancel();
        statuses.push(response.status);
      }
      return statuses;
    });

    expect(statuses.at(-1)).toBe(429);
    const warned = logged().filter((line) => line.message === "too many requests");
    expect(warned.length).toBeGreaterThanOrEqual(1);
    expect(warned[0]).toEqual({
      level: "warn",
      message: "too many requests",
      request_id: expect.any(String),
      route: "/oauth2/token",
      outcome: "invalid_client",
    });
    expect(consoleLines().join("\n")).not.toContain(source);
  });

  it("writes a failure's request line at error even at LOG_LEVEL=error", async () => {
    const response = await send({ LOG_LEVEL: "error", SIGNING_KEYS: undefined }, new Request(`${BASE}/oauth2/jwks`));

    expect(response.status).toBe(500);
    expect(logged().map((line) => [line.level, line.message])).toEqual([
      ["error", "configuration error"],
      ["error", "request"],
    ]);
  });
});

describe("a body that breaks off", () => {
  it("answers invalid_request and logs the client's disconnection, not an unhandled error", async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("grant_type=refresh_token&refresh_to"));
        controller.error(new Error("connection reset by peer"));
      },
    });
    const request = new Request(`${BASE}/oauth2/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body,
    });

    const response = await send({ LOG_LEVEL: "info" }, request);

    await expectError(response, {
      status: 400,
      error: "invalid_request",
      description: "The request body could not be read.",
    });
    expect(logged()).toEqual([
      expect.objectContaining({ level: "info", message: "request", status: 400, outcome: "client_disconnected" }),
    ]);
  });
});
