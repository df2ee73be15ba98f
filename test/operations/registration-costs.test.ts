/**
 * What a dynamic registration costs on Cloudflare's bill, counted on real requests in workerd
 * (see operation-costs.test.ts for the method): one Worker request, one rate limit and one KV
 * write, and no Durable Object, since anyone may register and most registrations may never be
 * used. The client's registry object first appears at the registration's first completed login.
 */
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { TestClient } from "../support/clients";
import {
  LOGIN_URL,
  REDIRECT_URI,
  aliceLogin,
  authorizationQuery,
  expectLoginHandOff,
  sidOfRequest,
} from "../support/code-flow";
import { grantStub } from "../support/families";
import { OperationMeter, emptyUsage, type Usage } from "../support/operation-meter";
import { ADMIN_TOKEN } from "../support/worker";

const meter = new OperationMeter({ LOGIN_URL, LOG_LEVEL: "", DYNAMIC_REGISTRATION: "open" });

beforeAll(() => meter.install());
afterAll(() => meter.uninstall());

/** One Worker request with its log line, and `parts`. */
function usage(parts: Partial<Usage>): Usage {
  return { ...emptyUsage(), workerRequests: 1, logLines: 1, logBytes: expect.any(Number) as number, ...parts };
}

async function register(): Promise<{ cost: Usage; client: TestClient }> {
  let client: TestClient = { client_id: "" };
  const cost = await meter.measure(async () => {
    const response = await meter.send("/oauth2/register", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: "none" }),
    });
    expect(response.status).toBe(201);
    client = { client_id: ((await response.json()) as { client_id: string }).client_id };
  });
  return { cost, client };
}

/** The cost of the host application completing one login for `client`. */
async function completionCost(client: TestClient): Promise<Usage> {
  const { query } = await authorizationQuery(client);
  let id = "";
  await meter.measure(async () => {
    id = expectLoginHandOff(await meter.send(`/oauth2/authorize?${new URLSearchParams(query)}`));
  });
  await meter.register("Grant", grantStub(await sidOfRequest(id)));
  return meter.measure(async () => {
    const response = await meter.send(`/admin/authorizations/${id}/complete`, {
      method: "POST",
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify(aliceLogin()),
    });
    expect(response.status).toBe(200);
    await response.body?.cancel();
  });
}

it("a dynamic registration is one rate limit and one KV write, and touches no Durable Object", async () => {
  const { cost } = await register();
  expect(cost).toEqual(usage({ kv: { put: 1 }, rateLimits: 1 }));
});

it("its first completed login has the registry object adopt it; the next adds nothing", async () => {
  const { client } = await register();
  await meter.register("ClientRegistry", env.CLIENT_REGISTRY.get(env.CLIENT_REGISTRY.idFromName(client.client_id)));
  const grantWork = {
    storageCalls: { "Grant kv.get": 3, "Grant kv.put": 1, "Grant setAlarm": 1 },
    rowsWritten: { Grant: 2 },
  };
  // The object reads the record from KV, keeps it without its end and writes it back.
  expect(await completionCost(client)).toEqual(
    usage({
      kv: { get: 1, put: 1 },
      durableObjectRequests: { "Grant.completeAuthorization": 1, "ClientRegistry.confirm": 1 },
      storageCalls: {
        ...grantWork.storageCalls,
        "ClientRegistry kv.get": 2,
        "ClientRegistry kv.put": 2,
      },
      rowsWritten: { ...grantWork.rowsWritten, ClientRegistry: 2 },
    }),
  );
  expect(await completionCost(client)).toEqual(
    usage({ ...grantWork, durableObjectRequests: { "Grant.completeAuthorization": 1 } }),
  );
});
