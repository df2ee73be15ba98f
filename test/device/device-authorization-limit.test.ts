/**
 * A public client's `client_id` is no secret, and each device authorization is a live pair of
 * codes held by two Durable Objects for ten minutes: so each source address (`CF-Connecting-IP`)
 * may make 20 a minute for public clients (DEVICE_AUTHORIZATION_LIMITER). Past that, 429
 * `temporarily_unavailable` with `Retry-After`, and no object is touched. A refused request is
 * not counted (it creates nothing). A confidential client the operator registered is never
 * counted; one that anyone could register for themselves is, as a public one. Another source is
 * not affected.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectError } from "../http/support-token-endpoint";
import { registerClient, type TestClient } from "../support/clients";
import { OperationMeter, emptyUsage } from "../support/operation-meter";
import { open } from "../registration/registration-support";
import { freshSource, withinOneWindow } from "../support/rate-limit-window";
import { basicAuth } from "../support/token-requests";

const LIMIT = 20;
const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
const meter = new OperationMeter({ LOG_LEVEL: "warn" });
let tv: TestClient;
let kiosk: TestClient;
let selfMade: TestClient;

beforeAll(async () => {
  await meter.install();
  const device = { grant_types: [DEVICE_GRANT], redirect_uris: [], scope: "openid" };
  tv = await registerClient({ ...device, token_endpoint_auth_method: "none" });
  kiosk = await registerClient(device);
  const registered = await open("/oauth2/register", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      ...device,
      client_name: "Self-made kiosk",
      token_endpoint_auth_method: "client_secret_basic",
    }),
  });
  expect(registered.status).toBe(201);
  selfMade = await registered.json();
});

afterAll(() => meter.uninstall());

function ask(client: TestClient, source: string, scope = "openid"): Promise<Response> {
  const headers: Record<string, string> = {
    "Content-Type": "application/x-www-form-urlencoded",
    "CF-Connecting-IP": source,
  };
  const body = new URLSearchParams({ scope });
  if (client.client_secret === undefined) body.set("client_id", client.client_id);
  else headers.Authorization = basicAuth(client.client_id, client.client_secret);
  return meter.send("/oauth2/device_authorization", { method: "POST", headers, body });
}

async function statusOf(client: TestClient, source: string, scope?: string): Promise<number> {
  const response = await ask(client, source, scope);
  await response.body?.cancel();
  return response.status;
}

async function statuses(client: TestClient, source: string, count: number): Promise<number[]> {
  const answered: number[] = [];
  for (let i = 0; i < count; i++) answered.push(await statusOf(client, source));
  return answered;
}

describe("device authorizations per source address", () => {
  it("accepts 20 a minute from a public client, then answers 429 with Retry-After and touches no object", async () => {
    const { accepted, refused, cost } = await withinOneWindow(async (source) => {
      const accepted = await statuses(tv, source, LIMIT);
      let refused = new Response();
      const cost = await meter.measure(async () => {
        refused = await ask(tv, source);
      });
      return { accepted, refused, cost };
    });
    expect(accepted).toEqual(Array(LIMIT).fill(200));
    await expectError(refused, {
      status: 429,
      error: "temporarily_unavailable",
      description: "Too many device authorizations from here; retry later.",
      headers: { "Retry-After": "60" },
    });
    // One warn line (abuse), no object: the request line is info, below this meter's LOG_LEVEL.
    expect(cost).toEqual({
      ...emptyUsage(),
      workerRequests: 1,
      rateLimits: 1,
      logLines: 1,
      logBytes: expect.any(Number) as number,
    });
  });

  it("does not count a refused request, which creates nothing", async () => {
    const answered = await withinOneWindow(async (source) => {
      for (let i = 0; i < LIMIT + 5; i++) expect(await statusOf(tv, source, "openid admin")).toBe(400);
      return statuses(tv, source, LIMIT);
    });
    expect(answered).toEqual(Array(LIMIT).fill(200));
  });

  it("never counts a confidential client the operator registered", async () => {
    const answered = await withinOneWindow((source) => statuses(kiosk, source, LIMIT + 5));
    expect(answered).toEqual(Array(LIMIT + 5).fill(200));
  });

  it("counts a confidential client registered by anyone (RFC 7591), whose secret proves nothing", async () => {
    const answered = await withinOneWindow((source) => statuses(selfMade, source, LIMIT + 1));
    expect(answered).toEqual([...Array(LIMIT).fill(200), 429]);
  });

  it("keeps counting one source apart from another", async () => {
    const other = await withinOneWindow(async (source) => {
      await statuses(tv, source, LIMIT + 1);
      return statusOf(tv, freshSource());
    });
    expect(other).toBe(200);
  });
});
