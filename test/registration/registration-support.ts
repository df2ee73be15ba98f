/**
 * Helpers of the dynamic registration tests: open registration set up as deployed and any
 * metadata sent to it, a registration as an MCP client makes one, its registry object's state,
 * its KV record and when KV ends it, and a clock moved ahead.
 */
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { expect } from "vitest";
import type { ClientRecord } from "../../src/clients/record";
import type { TestClient } from "../support/clients";
import { LOGIN_URL, REDIRECT_URI } from "../support/code-flow";
import { admin, callerWith } from "../support/worker";

export { waitSeconds } from "../support/clock";

export const open = callerWith({ DYNAMIC_REGISTRATION: "open" });

/**
 * Open registration with a login page and the MCP scopes, and CLIENT_METADATA_ALLOW_LOOPBACK
 * off, as in production (the test projects turn it on).
 */
export const openAsDeployed = callerWith({
  DYNAMIC_REGISTRATION: "open",
  LOGIN_URL,
  SCOPES: "mcp:tools mcp:resources",
  CLIENT_METADATA_ALLOW_LOOPBACK: "",
});

/** Registers `metadata` as anyone would: JSON, no credentials; with {@link openAsDeployed} unless told. */
export function register(
  metadata: unknown,
  headers: Record<string, string> = {},
  caller = openAsDeployed,
): Promise<Response> {
  return caller("/oauth2/register", {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof metadata === "string" ? metadata : JSON.stringify(metadata),
  });
}

/** Registers a public code-flow client openly; its id. */
export async function registerPublicClient(): Promise<TestClient> {
  const response = await open("/oauth2/register", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      redirect_uris: [REDIRECT_URI],
      grant_types: ["authorization_code", "refresh_token"],
      token_endpoint_auth_method: "none",
    }),
  });
  expect(response.status).toBe(201);
  return { client_id: ((await response.json()) as { client_id: string }).client_id };
}

/** The client's registry object. */
export function registry(clientId: string) {
  return env.CLIENT_REGISTRY.get(env.CLIENT_REGISTRY.idFromName(clientId));
}

/** The registry object's alarm (ms since the epoch, or null) and what it stores. */
export function objectOf(clientId: string): Promise<{ alarm: number | null; keys: string[] }> {
  return runInDurableObject(registry(clientId), async (_instance, state) => ({
    alarm: await state.storage.getAlarm(),
    keys: [...state.storage.kv.list()].map(([key]) => key),
  }));
}

/** The record KV holds for `clientId`. */
export async function storedRecord(clientId: string): Promise<ClientRecord> {
  const record = await env.CLIENTS.get<ClientRecord>(`client:${clientId}`, "json");
  expect(record).not.toBeNull();
  return record!;
}

/** When KV deletes the client's record by itself (seconds), or undefined for never. */
export async function kvExpiration(clientId: string): Promise<number | undefined> {
  const { keys } = await env.CLIENTS.list({ prefix: `client:${clientId}` });
  expect(keys.map((key) => key.name)).toEqual([`client:${clientId}`]);
  return keys[0]!.expiration;
}

/** Whether the admin API finds the client. */
export async function exists(clientId: string): Promise<boolean> {
  const response = await admin("GET", `/admin/clients/${clientId}`);
  await response.body?.cancel();
  expect([200, 404]).toContain(response.status);
  return response.status === 200;
}
