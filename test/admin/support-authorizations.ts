/**
 * What the admin authorization tests share: the client whose requests they answer, registered
 * before each file's tests, the admin API calls that read and deny a pending request, and what
 * every error answer of the admin API must be.
 */
import { beforeAll, expect } from "vitest";
import { registerClient, type TestClient } from "../support/clients";
import { admin } from "../support/worker";

export const NOT_FOUND = { error: "not_found", error_description: "No such pending authorization request." };

/** The client the authorization requests are started for; set by {@link registerClientBeforeAll}. */
export let client: TestClient;

/** Registers {@link client}, named and with an organization of its own, before the calling file's tests. */
export function registerClientBeforeAll(): void {
  beforeAll(async () => {
    client = await registerClient({ client_name: "Looking Glass", organization_id: "org_client" });
  });
}

/** Asserts a JSON error answer of the admin API: status, whole body, no-store headers. */
export async function expectAdminError(
  response: Response,
  status: number,
  body: Record<string, string>,
): Promise<void> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(JSON.parse(text)).toEqual(body);
  expect(response.headers.get("Content-Type")).toBe("application/json");
  expect(response.headers.get("Cache-Control")).toBe("no-store");
  expect(response.headers.get("Pragma")).toBe("no-cache");
}

export function read(id: string): Promise<Response> {
  return admin("GET", `/admin/authorizations/${id}`);
}

export function deny(id: string): Promise<Response> {
  return admin("POST", `/admin/authorizations/${id}/deny`);
}
