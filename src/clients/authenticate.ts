/**
 * Client authentication against the records in KV, with failures counted per client_id.
 *
 * @see RFC 6749 §2.3, §2.3.1, §3.2.1
 */
import type { Env } from "../env";
import { invalidClient, type ClientCredentials } from "../http/client-credentials";
import { assertNotThrottled, recordFailure } from "./auth-throttle";
import type { ClientRecord } from "./record";
import { isConfidential } from "./record";
import { matchesAnySecret } from "./secrets";
import { getClient } from "./store";

/**
 * Returns the client record when the credentials authenticate it: a confidential client with a
 * live secret (by Basic or in the body, either is accepted), a public client with its id alone.
 *
 * @throws OAuthError `invalid_client` (401) otherwise, or 429 once a client_id has failed too often.
 */
export async function authenticateClient(
  env: Pick<Env, "CLIENTS" | "CLIENT_AUTH_LIMITER">,
  credentials: ClientCredentials,
): Promise<ClientRecord> {
  const client = await getClient(env.CLIENTS, credentials.clientId);
  if (client !== undefined && !isConfidential(client)) {
    // A public client has no secret to guess, so its failures are not counted: otherwise anyone
    // who read its client_id in an authorize URL could lock it out. One that sends a secret is
    // misconfigured, not authenticated.
    if (credentials.clientSecret === undefined) return client;
    throw invalidClient();
  }
  assertNotThrottled(credentials.clientId);
  if (client !== undefined && credentials.clientSecret !== undefined) {
    if (await matchesAnySecret(credentials.clientSecret, client.secrets)) return client;
  }
  await recordFailure(env.CLIENT_AUTH_LIMITER, credentials.clientId);
  throw invalidClient();
}
