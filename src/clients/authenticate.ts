/**
 * Client authentication against the records in KV, with failures counted per client_id and
 * source address.
 *
 * @see RFC 6749 §2.3, §2.3.1, §3.2.1; RFC 7523 §2.2 (`private_key_jwt`)
 */
import { failureKey, recordFailure } from "../abuse/failure-throttle";
import { tooManyRequests } from "../abuse/source-limit";
import type { Env } from "../env";
import { invalidClient } from "../errors";
import type { ClientRecord } from "./record";
import { isConfidential } from "./record";
import { acceptsAssertion, type AssertionAudience } from "./private-key-jwt";
import { matchesAnySecret } from "./secrets";
import { resolveClient } from "./resolve";

/** Credentials as the client presented them; not yet checked against any record. */
export type ClientCredentials = SecretCredentials | AssertionCredentials;

/** A client_id, with or without a secret (Basic, in the body, or a public client's id alone). */
export interface SecretCredentials {
  clientId: string;
  clientSecret: string | undefined;
  /** Whether they came in the `Authorization` header, which decides the 401's challenge. */
  viaBasic: boolean;
}

/** A `private_key_jwt` assertion and the client it names (its `sub`), not yet verified. */
export interface AssertionCredentials {
  clientId: string;
  assertion: string;
}

/**
 * Returns the client record when the credentials authenticate it: a confidential client with a
 * live secret (by Basic or in the body, either is accepted), a public client with its id alone.
 * A client registered for `private_key_jwt` authenticates with a fresh assertion instead.
 * Right credentials always authenticate, however many failures others caused with the same
 * client_id; failures are counted per client_id and `source` (RFC 6749 §2.3.1).
 *
 * @throws OAuthError `invalid_client` (401), or 429 once `source` has failed too often (or has
 *   caused too many fetches of metadata documents and key sets).
 */
export async function authenticateClient(
  env: Env,
  credentials: ClientCredentials,
  source: string,
  context: AssertionAudience,
): Promise<ClientRecord> {
  const client = await resolveClient(env, context.config, credentials.clientId, source);
  if ("assertion" in credentials) {
    // A public client has nothing to prove, so, as with a secret, its failures are not counted.
    if (client !== undefined && !isConfidential(client)) throw invalidClient();
    if (client !== undefined && (await acceptsAssertion(env, client, credentials.assertion, context, source)))
      return client;
  } else if (client !== undefined && !isConfidential(client)) {
    // A public client has no secret to guess, so its failures are not counted: otherwise anyone
    // who read its client_id in an authorize URL could slow it down. One that sends a secret is
    // misconfigured, not authenticated.
    if (credentials.clientSecret === undefined) return client;
    throw invalidClient();
  } else if (client !== undefined && credentials.clientSecret !== undefined) {
    if (await matchesAnySecret(credentials.clientSecret, client.secrets)) return client;
  }
  await recordFailure(env.CLIENT_AUTH_LIMITER, failureKey("client", credentials.clientId, source), tooManyFailures);
  throw invalidClient();
}

// RFC 6749 §5.2 has no code for "slow down"; the failure's own code tells the client what is
// wrong, and Retry-After when to try again.
const tooManyFailures = tooManyRequests(
  "invalid_client",
  "Too many failed client authentications from here; retry later.",
);
