/**
 * Fetching a small JSON document from a URL a client named (its metadata document, its
 * `jwks_uri`): one GET that costs Baton a bounded amount whatever the other side does. No
 * redirect is followed, the body is cut off past a size limit, the whole exchange past a time
 * limit, and only a 200 with a JSON object counts. In production the
 * `global_fetch_strictly_public` compatibility flag keeps such fetches off private addresses.
 *
 * @see draft-ietf-oauth-client-id-metadata-document §4, RFC 7591 §2 (`jwks_uri`)
 */
import { readStreamCapped } from "../encoding/read-capped";

/** What a bounded fetch may cost. */
export interface FetchBounds {
  /** The largest body accepted, in bytes. */
  maxBytes: number;
  /** The longest the whole exchange may take, in milliseconds. */
  timeoutMs: number;
}

/** A fetched JSON object and the response's `Cache-Control`, or why there is none. */
export type FetchedJson =
  | { ok: true; body: Record<string, unknown>; cacheControl: string | null }
  | { ok: false; reason: "network" | "timeout" | "status" | "redirect" | "too_large" | "not_json" };

/** GETs `url` within `bounds` and parses its body as a JSON object. Never throws. */
export async function fetchJsonObject(url: string, bounds: FetchBounds): Promise<FetchedJson> {
  const signal = AbortSignal.timeout(bounds.timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, { method: "GET", redirect: "manual", signal, headers: { Accept: "application/json" } });
  } catch {
    return { ok: false, reason: signal.aborted ? "timeout" : "network" };
  }
  if (response.status >= 300 && response.status < 400) return cancel(response, "redirect");
  if (response.status !== 200) return cancel(response, "status");
  const declared = Number(response.headers.get("Content-Length") ?? "0");
  if (declared > bounds.maxBytes) return cancel(response, "too_large");
  let bytes: Uint8Array | undefined;
  try {
    bytes = response.body === null ? new Uint8Array(0) : await readStreamCapped(response.body, bounds.maxBytes);
  } catch {
    return { ok: false, reason: signal.aborted ? "timeout" : "network" };
  }
  if (bytes === undefined) return { ok: false, reason: "too_large" };
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    return { ok: false, reason: "not_json" };
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return { ok: false, reason: "not_json" };
  return { ok: true, body: body as Record<string, unknown>, cacheControl: response.headers.get("Cache-Control") };
}

async function cancel(response: Response, reason: "redirect" | "status" | "too_large"): Promise<FetchedJson> {
  await response.body?.cancel();
  return { ok: false, reason };
}
