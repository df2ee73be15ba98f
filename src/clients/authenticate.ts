/**
 * Client authentication against the records in KV.
 *
 * @see RFC 6749 §2.3, §3.2.1
 */
import { invalidClient, type ClientCredentials } from "../http/client-credentials";
import type { ClientRecord } from "./record";
import { isConfidential } from "./record";
import { matchesAnySecret } from "./secrets";
import { getClient } from "./store";

/**
 * Returns the client record when the credentials authenticate it: a confidential client with a
 * live secret (by Basic or in the body, either is accepted), a public client with its id alone.
 *
 * @throws OAuthError `invalid_client` (401) otherwise.
 */
export async function authenticateClient(kv: KVNamespace, credentials: ClientCredentials): Promise<ClientRecord> {
  const client = await getClient(kv, credentials.clientId);
  if (client === undefined) throw invalidClient();
  if (!isConfidential(client)) {
    // A public client has no secret; one that sends a secret is misconfigured, not authenticated.
    if (credentials.clientSecret !== undefined) throw invalidClient();
    return client;
  }
  if (credentials.clientSecret === undefined) throw invalidClient();
  if (!(await matchesAnySecret(credentials.clientSecret, client.secrets))) throw invalidClient();
  return client;
}
