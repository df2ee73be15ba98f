/**
 * What the authorization_code grant tests share: the clients that redeem and the other clients
 * that try, registered before each file's tests, the one answer every refused redemption gets,
 * and a look at what a grant keeps in its storage.
 */
import { runInDurableObject } from "cloudflare:test";
import { beforeAll } from "vitest";
import { expectError } from "../http/support-token-endpoint";
import { registerClient, type TestClient } from "../support/clients";
import { grantStub } from "../support/families";

const INVALID_GRANT = "The grant is invalid, expired, revoked, or was issued to another client.";

export function expectInvalidGrant(response: Response): Promise<void> {
  return expectError(response, { status: 400, error: "invalid_grant", description: INVALID_GRANT });
}

/** A confidential client with an organization; set by {@link registerClientsBeforeAll}. */
export let client: TestClient;
/** Another confidential client, to whom the codes were not issued. */
export let other: TestClient;
/** A public client (`none`), identified by its client_id and its PKCE verifier. */
export let publicClient: TestClient;

/** Registers {@link client}, {@link other} and {@link publicClient} before the calling file's tests. */
export function registerClientsBeforeAll(): void {
  beforeAll(async () => {
    client = await registerClient({ organization_id: "org_client" });
    other = await registerClient();
    publicClient = await registerClient({ token_endpoint_auth_method: "none" });
  });
}

/** Every entry of the grant's storage, serialised, and the keys. */
export function stored(sid: string): Promise<{ text: string; keys: string[] }> {
  return runInDurableObject(grantStub(sid), (_instance, state) => {
    const entries = [...state.storage.kv.list()];
    return { text: JSON.stringify(entries), keys: entries.map(([key]) => key) };
  });
}
