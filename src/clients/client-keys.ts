/**
 * A `private_key_jwt` client's public keys: inline in its record, or fetched from its
 * `jwks_uri` and cached in this isolate. Whoever sends an assertion naming a client can make
 * Baton want that client's keys, so a fetch happens at most once per {@link REFETCH_MS} for a
 * URL, whatever the traffic: a set is kept for {@link KEYS_TTL_MS}, refetched early only when an
 * assertion names a key it lacks (a rotation), and a failed fetch is remembered as long. Each
 * fetch also counts against the asker's source (see {@link admitFetch}): the cache holds 1,000
 * URLs, and whoever controls more clients could otherwise cycle through them.
 *
 * @see RFC 7591 §2 (`jwks_uri`), OIDC Core §10.1.1 (rotation of asymmetric signing keys)
 */
import { admitFetch, type FetchAsker } from "../abuse/source-limit";
import { fetchJsonObject } from "../uri/bounded-fetch";
import { keyUrl, usableKeys, type KeyUrlRules } from "./key-metadata";
import type { ClientRecord } from "./record";

/** How long a fetched key set is used before it is fetched again. */
export const KEYS_TTL_MS = 5 * 60_000;
/** The shortest time between two fetches of one URL (and how long a failure is remembered). */
export const REFETCH_MS = 60_000;
/** How long the last keys fetched stay in use while fetching them again fails. */
export const STALE_MS = 60 * 60_000;
const FETCH_BOUNDS = { maxBytes: 64 * 1024, timeoutMs: 3000 };
const MAX_CACHED = 1000;

/** A client's keys, and where they came from when fetching them again could find others. */
export interface ClientKeys {
  keys: readonly Record<string, unknown>[];
  /** Set for keys from a `jwks_uri`: the URL to refetch when an assertion names an unknown key. */
  url?: string;
}

interface CachedSet {
  keys: Promise<readonly Record<string, unknown>[] | undefined>;
  /** When this entry was fetched (or last tried). */
  fetchedAt: number;
  /** When its keys were last fetched successfully. */
  succeededAt: number | undefined;
  failed: boolean;
}

const cache = new Map<string, CachedSet>();

/**
 * The client's keys, or `undefined` when it has none Baton can reach.
 *
 * @throws OAuthError 429 when a fetch is needed and `asker` has caused too many.
 */
export async function clientKeys(
  client: Pick<ClientRecord, "jwks" | "jwks_uri">,
  rules: KeyUrlRules,
  asker?: FetchAsker,
): Promise<ClientKeys | undefined> {
  if (client.jwks !== undefined) return { keys: client.jwks.keys };
  if (client.jwks_uri === undefined) return undefined;
  // Checked again at every use: the rules may have tightened since the client registered.
  const url = keyUrl(client.jwks_uri, rules);
  if (url === undefined) return undefined;
  const keys = await cachedSet(url.href, KEYS_TTL_MS, asker);
  return keys === undefined ? undefined : { keys, url: url.href };
}

/**
 * Fetches the set at `url` again if the last fetch is at least {@link REFETCH_MS} old (a failed
 * fetch gives back the keys kept before it); otherwise `undefined`: the caller keeps what it had.
 */
export async function refetchedKeys(
  url: string,
  asker?: FetchAsker,
): Promise<readonly Record<string, unknown>[] | undefined> {
  const entry = cache.get(url);
  if (entry !== undefined && Date.now() - entry.fetchedAt < REFETCH_MS) return undefined;
  return cachedSet(url, 0, asker);
}

async function cachedSet(
  url: string,
  maxAgeMs: number,
  asker: FetchAsker | undefined,
): Promise<readonly Record<string, unknown>[] | undefined> {
  const before = cache.get(url);
  if (before !== undefined) {
    const age = Date.now() - before.fetchedAt;
    if (age < 0 || age < (before.failed ? REFETCH_MS : maxAgeMs)) return before.keys;
  }
  await admitFetch(asker);
  // Another request may have started a fetch while this one was being counted: share it.
  const entry = cache.get(url);
  if (entry !== undefined && entry !== before) return entry.keys;
  // A failed fetch keeps the last keys that were fetched, for a while: the client's server being
  // down for a moment should not stop its assertions from verifying.
  const now = Date.now();
  const previous = entry?.succeededAt !== undefined && now - entry.succeededAt < STALE_MS ? entry : undefined;
  const fresh: CachedSet = { keys: Promise.resolve(undefined), fetchedAt: now, succeededAt: now, failed: false };
  fresh.keys = fetchKeys(url).then((keys) => {
    if (keys !== undefined) return keys;
    fresh.failed = true;
    fresh.succeededAt = previous?.succeededAt;
    return previous?.keys;
  });
  cache.delete(url);
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
  cache.set(url, fresh);
  return fresh.keys;
}

async function fetchKeys(url: string): Promise<readonly Record<string, unknown>[] | undefined> {
  const fetched = await fetchJsonObject(url, FETCH_BOUNDS);
  if (!fetched.ok) return undefined;
  const keys = usableKeys(fetched.body);
  return keys.length === 0 ? undefined : keys;
}
