/**
 * Where fetched metadata documents are kept, and for how long: a small per-isolate map in front
 * of the Workers Cache API (shared by the isolates of one location). Only documents that passed
 * validation are put here; a failure is never remembered, so a client that fixes its document
 * is served at once. Each entry carries its own expiry, checked on every read: the platform may
 * keep an entry longer than asked, never is one used longer.
 *
 * @see draft-ietf-oauth-client-id-metadata-document §4.3 (caching),
 * https://developers.cloudflare.com/workers/runtime-apis/cache/
 */
import { encodeBase64url } from "../encoding/base64url";
import { sha256 } from "../encoding/sha256";

/** A validated document, when it was fetched (seconds) and until when it may be used (ms). */
export interface CachedDocument {
  document: Record<string, unknown>;
  fetchedAt: number;
  expiresAt: number;
}

/** The shortest and longest a document is kept, in seconds, whatever its `Cache-Control` says. */
export const MIN_LIFETIME = 300;
export const MAX_LIFETIME = 86_400;

// The map only spares a Cache API read: a minute is enough, and bounds how long an isolate
// keeps an entry that another isolate of the location has already seen change.
const MEMORY_MS = 60_000;
const MEMORY_MAX = 500;
const memory = new Map<string, CachedDocument>();

// Cache API keys are URLs; this host is no one's (RFC 6761 reserves .invalid).
const CACHE_PREFIX = "https://client-metadata-documents.baton.invalid/v1/";

/**
 * How long a document may be kept: its `max-age`, clamped to [{@link MIN_LIFETIME},
 * {@link MAX_LIFETIME}]. Without one (or with `no-store`), the floor: refetching on every
 * request would let anyone make Baton fetch a URL as often as they ask it to.
 */
export function cacheLifetime(cacheControl: string | null): number {
  const match = /(?:^|,)\s*max-age\s*=\s*"?(\d+)"?\s*(?:,|$)/i.exec(cacheControl ?? "");
  const seconds = match === null ? MIN_LIFETIME : Number(match[1]);
  return Math.min(MAX_LIFETIME, Math.max(MIN_LIFETIME, seconds));
}

/** The cached document of `clientId`, while it may still be used. */
export async function readCachedDocument(clientId: string): Promise<CachedDocument | undefined> {
  const now = Date.now();
  const held = memory.get(clientId);
  if (held !== undefined && held.expiresAt > now) return held;
  memory.delete(clientId);
  const response = await caches.default.match(await cacheKey(clientId));
  if (response === undefined) return undefined;
  const entry = (await response.json()) as CachedDocument;
  if (!(entry.expiresAt > now)) return undefined;
  remember(clientId, entry, now);
  return entry;
}

/** Keeps a validated document for `lifetime` seconds from now. */
export async function cacheDocument(
  clientId: string,
  document: Record<string, unknown>,
  fetchedAt: number,
  lifetime: number,
): Promise<void> {
  const now = Date.now();
  const entry: CachedDocument = { document, fetchedAt, expiresAt: now + lifetime * 1000 };
  remember(clientId, entry, now);
  const response = new Response(JSON.stringify(entry), {
    headers: { "Content-Type": "application/json", "Cache-Control": `max-age=${lifetime}` },
  });
  await caches.default.put(await cacheKey(clientId), response);
}

function remember(clientId: string, entry: CachedDocument, now: number): void {
  if (memory.size >= MEMORY_MAX) memory.delete(memory.keys().next().value!);
  memory.set(clientId, { ...entry, expiresAt: Math.min(entry.expiresAt, now + MEMORY_MS) });
}

/** A fixed-length key whatever the URL's length. */
async function cacheKey(clientId: string): Promise<string> {
  return CACHE_PREFIX + encodeBase64url(await sha256(clientId));
}
