/**
 * Client authentication against the records in KV, with failures counted per client_id and
 * source address.
 *
 * @see RFC 6749 §2.3, §2.3.1, §3.2.1
 */
import { failureKey, recordFailure } from "../abuse/failure-throttle";
import type { Env } from "../env";
import { OAuthError, invalidClient } from "../errors";
import type { ClientRecord } from "./record";
import { isConfidential } from "./record";
import { matchesAnySecret } from "./secrets";
import { resolveClient, type ResolveSettings } from "./resolve";

/** Credentials as the client presented them; not yet checked against any record. */
export interface ClientCredentials {
  clientId: string;
  clientSecret: string | undefined;
  /** Whether they came in the `Authorization` header, which decides the 401's challenge. */
  viaBasic: boolean;
}

/**
 * Returns the client record when the credentials authenticate it: a confidential client with a
 * live secret (by Basic or in the body, either is accepted), a public client with its id alone.
 * A right secret always authenticates, however many failures others caused with the same
 * client_id; failures are counted per client_id and `source` (RFC 6749 §2.3.1).
 *
 * @throws OAuthError `invalid_client` (401), or 429 once `source` has failed too often.
 */
export async function authenticateClient(
  env: Pick<Env, "CLIENTS" | "CLIENT_AUTH_LIMITER">,
  credentials: ClientCredentials,
  source: string,
  settings: ResolveSettings,
): Promise<ClientRecord> {
  const client = await resolveClient(env, settings, credentials.clientId);
  if (client !== undefined && !isConfidential(client)) {
    // A public client has no secret to guess, so its failures are not counted: otherwise anyone
    // who read its client_id in an authorize URL could slow it down. One that sends a secret is
    // misconfigured, not authenticated.
    if (credentials.clientSecret === undefined) return client;
    throw invalidClient();
  }
  if (client !== undefined && credentials.clientSecret !== undefined) {
    if (await matchesAnySecret(credentials.clientSecret, client.secrets)) return client;
  }
  await recordFailure(env.CLIENT_AUTH_LIMITER, failureKey("client", credentials.clientId, source), tooManyFailures);
  throw invalidClient();
}

function tooManyFailures(retryAfter: number): OAuthError {
  // RFC 6749 §5.2 has no code for "slow down"; the failure's own code tells the client what is
  // wrong, and Retry-After when to try again.
  return new OAuthError("invalid_client", "Too many failed client authentications from here; retry later.", 429, {
    "Retry-After": String(retryAfter),
  });
}
