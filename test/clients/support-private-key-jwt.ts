/**
 * What the `private_key_jwt` tests share: the machine client that signs its assertions with an
 * ES256 key of its own and the one that authenticates with a secret, both registered before each
 * file's tests, and the client_credentials request an assertion is sent with.
 */
import { beforeAll } from "vitest";
import { registerClient, type TestClient } from "../support/clients";
import { clientKey, postWithAssertion, registerKeyClient, type KeyClient } from "../support/client-keys";

/** The metadata of a machine client: client_credentials only, no redirect URIs. */
export const MACHINE = { grant_types: ["client_credentials"], redirect_uris: [], scope: "reports:read" };
export const CLIENT_CREDENTIALS = { grant_type: "client_credentials" };

/** The `private_key_jwt` machine client; set by {@link registerMachinesBeforeAll}. */
export let machine: KeyClient;
/** A machine client that authenticates with a secret; set by {@link registerMachinesBeforeAll}. */
export let secretClient: TestClient;

/** Registers {@link machine} and {@link secretClient} before the calling file's tests. */
export function registerMachinesBeforeAll(): void {
  beforeAll(async () => {
    const key = await clientKey("ES256");
    machine = await registerKeyClient(key, { ...MACHINE, jwks: { keys: [key.publicJwk] } });
    secretClient = await registerClient(MACHINE);
  });
}

/** A client_credentials request authenticated by `assertion`. */
export function machineRequest(assertion: string, extra: Record<string, string> = {}) {
  return postWithAssertion(assertion, { ...CLIENT_CREDENTIALS, ...extra });
}
