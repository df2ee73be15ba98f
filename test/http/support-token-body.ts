/**
 * What the token body tests share: the confidential client they send as, registered before each
 * file's tests, its fresh refresh tokens, and bodies built byte by byte.
 */
import { beforeAll } from "vitest";
import { registerClient, type TestClient } from "../support/clients";
import { startFamily } from "../support/families";
import { basicAuth } from "../support/token-requests";

export const FORM = "application/x-www-form-urlencoded";

/** The client the requests are sent as; set by {@link registerClientBeforeAll}. */
export let client: TestClient;
/** Its `client_secret_basic` credentials, as headers. */
export let basic: Record<string, string>;

/** Registers {@link client}, and sets {@link basic}, before the calling file's tests. */
export function registerClientBeforeAll(): void {
  beforeAll(async () => {
    client = await registerClient();
    basic = { Authorization: basicAuth(client.client_id, client.client_secret!) };
  });
}

/** A fresh refresh token of `client`, good for one rotation. */
export async function freshToken(): Promise<string> {
  return (await startFamily(client.client_id)).tokens.refresh_token;
}

/** The bytes of `text` followed by `extra` raw bytes. */
export function bytesOf(text: string, ...extra: number[]): Uint8Array {
  return new Uint8Array([...new TextEncoder().encode(text), ...extra]);
}
