/**
 * What the operation cost tests share: the meter, with production's settings; what a request
 * that touches nothing but the Worker costs; requests sent and measured as a client sends them;
 * and the client's record, cached in this isolate or not.
 */
import { expect } from "vitest";
import { forgetClient } from "../../src/clients/store";
import type { TestClient } from "../support/clients";
import { LOGIN_URL } from "../support/code-flow";
import { OperationMeter, emptyUsage, type Usage } from "../support/operation-meter";
import { basicAuth } from "../support/token-requests";

// Production's settings: LOG_LEVEL unset is "info", one line per request.
export const meter = new OperationMeter({ LOGIN_URL, LOG_LEVEL: "" });

/** What a request that touches nothing but the Worker costs: one request and its log line. */
const WORKER_ONLY: Usage = {
  ...emptyUsage(),
  workerRequests: 1,
  logLines: 1,
  logBytes: expect.any(Number) as number,
};

/** The usage of one Worker request, from the parts that differ from {@link WORKER_ONLY}. */
export function usage(parts: Partial<Usage>): Usage {
  return { ...WORKER_ONLY, ...parts };
}

/** The client's record read from KV: once, when this isolate had not cached it. */
export function clientRead(cold: boolean): Record<string, number> {
  return cold ? { get: 1 } : {};
}

export function form(client: TestClient, params: Record<string, string>): RequestInit {
  return {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      Authorization: basicAuth(client.client_id, client.client_secret!),
    },
    body: new URLSearchParams(params),
  };
}

export async function json(response: Response): Promise<Record<string, string>> {
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return JSON.parse(text) as Record<string, string>;
}

/** Sends one request inside a measurement; its cost, and its response's JSON body. */
export async function measured(
  path: string,
  init: RequestInit = {},
): Promise<{ cost: Usage; body: Record<string, string> }> {
  let body: Record<string, string> = {};
  const cost = await meter.measure(async () => {
    body = await json(await meter.send(path, init));
  });
  return { cost, body };
}

/** The client's record as an operation may find it, each counted (see operation-costs.test.ts). */
export const CLIENT_RECORD_STATES = [
  { cache: "not cached", cold: true },
  { cache: "cached", cold: false },
];

/** Makes the next request find `client`'s record in KV (`cold`), or in this isolate's cache. */
export async function prepareClientRecord(client: TestClient, cold: boolean): Promise<void> {
  if (cold) forgetClient(client.client_id);
  // A request that reads the record (an unknown grant type: refused after authentication),
  // measured only to keep its log line out of the test's output.
  else
    await meter.measure(async () => {
      await meter.send("/oauth2/token", form(client, { grant_type: "urn:example:none" }));
    });
}
