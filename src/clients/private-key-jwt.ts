/**
 * `private_key_jwt` client authentication: the client's keys, the assertion's signature and
 * claims, then its `jti` spent in the client's registry object, so that each assertion
 * authenticates exactly once however many requests carry it at the same moment.
 *
 * @see RFC 7523 §2.2 and §3, RFC 7521 §4.2, OIDC Core §9
 */
import type { Config } from "../config";
import { encodeBase64url } from "../encoding/base64url";
import { sha256 } from "../encoding/sha256";
import type { Env } from "../env";
import { OAuthError } from "../errors";
import { log } from "../log";
import { nowSeconds } from "../clock";
import { CLOCK_SKEW, verifyClientAssertion, type AssertionCheck } from "../tokens/client-assertion";
import { clientKeys, refetchedKeys } from "./client-keys";
import type { ClientRecord } from "./record";

/** The server an assertion must be addressed to. */
export interface AssertionAudience {
  config: Config;
  /** The issuer of this request; `aud` may be it or `${issuer}/oauth2/token`. */
  issuer: string;
}

/**
 * Whether `assertion` authenticates `client`: the client uses `private_key_jwt`, the assertion
 * verifies with one of its keys and says what RFC 7523 §3 requires, and its `jti` was never used
 * by this client before. A refused assertion is only `false`, its reason logged.
 *
 * @throws OAuthError 429 `invalid_client` when the client has more live assertions than Baton
 * keeps (an assertion that was right then is still right a little later), or when fetching its
 * keys would pass `source`'s limit of fetches.
 */
export async function acceptsAssertion(
  env: Pick<Env, "CLIENT_REGISTRY" | "DOCUMENT_FETCH_LIMITER">,
  client: ClientRecord,
  assertion: string,
  { config, issuer }: AssertionAudience,
  source: string,
): Promise<boolean> {
  if (client.token_endpoint_auth_method !== "private_key_jwt") return refuse(config, client, "method");
  const rules = { allowLoopback: config.clientMetadataAllowLoopback };
  // A fetch of the client's jwks_uri is counted against the sender, as a document's is.
  const asker = { limiter: env.DOCUMENT_FETCH_LIMITER, source };
  const keys = await clientKeys(client, rules, asker);
  if (keys === undefined) return refuse(config, client, "no_keys");
  const expected = { clientId: client.client_id, audiences: [issuer, `${issuer}/oauth2/token`], now: nowSeconds() };
  let check: AssertionCheck = await verifyClientAssertion(assertion, keys.keys, expected);
  if (!check.ok && check.reason === "unknown_key" && keys.url !== undefined) {
    // A key the set lacks may have been added since it was fetched (a rotation).
    const fresh = await refetchedKeys(keys.url, asker);
    if (fresh !== undefined) check = await verifyClientAssertion(assertion, fresh, expected);
  }
  if (!check.ok) return refuse(config, client, check.reason);
  const registry = env.CLIENT_REGISTRY.get(env.CLIENT_REGISTRY.idFromName(client.client_id));
  const jtiHash = encodeBase64url(await sha256(check.jti));
  // Kept for as long as the assertion could still be accepted: its exp, plus the clock skew.
  const spent = await registry.useAssertionId(jtiHash, check.exp + CLOCK_SKEW);
  if (spent.ok) return true;
  if (spent.reason === "replayed") return refuse(config, client, "replayed");
  log(config, "warn", "too many live client assertions", { client_id: client.client_id });
  throw new OAuthError("invalid_client", "Too many client assertions at once; retry later.", 429, {
    "Retry-After": String(spent.retryAfter),
  });
}

function refuse(config: Config, client: ClientRecord, reason: string): false {
  // A replay is what an attacker who captured an assertion would do; the rest is a client bug.
  log(config, reason === "replayed" ? "warn" : "info", "client assertion refused", {
    client_id: client.client_id,
    reason,
  });
  return false;
}
