/**
 * Parameters of an OAuth endpoint request: form or JSON body, strictly parsed.
 *
 * @see RFC 6749 §3.1, §3.2 and Appendix B
 */
import { invalidRequest } from "../errors";
import { readBodyCapped } from "./body";
import { jsonObjectKeys } from "./json-keys";

/**
 * A request's parameters. An empty value counts as absent (RFC 6749 §3.1), so it is not in the
 * map; a parameter given twice was refused while parsing.
 */
export type Params = ReadonlyMap<string, string>;

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * Reads the body of a POST to an OAuth endpoint. Accepts `application/x-www-form-urlencoded`
 * (RFC 6749) and `application/json` (what WorkOS clients send); anything else, a repeated
 * parameter, bytes that are not UTF-8, or a body over 64 KiB is `invalid_request`. Parameters in
 * the query string are never read, and a `client_secret` there is refused (RFC 6749 §2.3.1).
 */
export async function readParams(request: Request, url: URL): Promise<Params> {
  if (url.searchParams.has("client_secret")) {
    invalidRequest("Client credentials must not be sent in the query string.");
  }
  const mediaType = mediaTypeOf(request);
  if (mediaType !== "application/x-www-form-urlencoded" && mediaType !== "application/json") {
    invalidRequest("The body must be application/x-www-form-urlencoded or application/json.");
  }
  const bytes = await readBodyCapped(request);
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    invalidRequest("The body is not valid UTF-8.");
  }
  return mediaType === "application/json" ? parseJsonParams(text) : parseFormParams(text);
}

/** The media type of the request, lower-cased and without parameters such as `charset`. */
function mediaTypeOf(request: Request): string | undefined {
  const header = request.headers.get("Content-Type");
  if (header === null) return undefined;
  return header.split(";", 1)[0]!.trim().toLowerCase();
}

function parseFormParams(text: string): Params {
  const params = new Map<string, string>();
  const seen = new Set<string>();
  for (const [name, value] of new URLSearchParams(text)) {
    if (seen.has(name)) invalidRequest("A parameter was given more than once.");
    seen.add(name);
    if (value !== "") params.set(name, value);
  }
  return params;
}

function parseJsonParams(text: string): Params {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    invalidRequest("The body is not valid JSON.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    invalidRequest("The JSON body must be an object.");
  }
  const params = new Map<string, string>();
  for (const [name, value] of Object.entries(parsed)) {
    if (value === null || value === "") continue;
    if (typeof value !== "string") invalidRequest("Every JSON parameter must be a string.");
    params.set(name, value);
  }
  // JSON.parse keeps the last of two equal keys silently; a repeat must be refused as it is in
  // a form body.
  const keys = jsonObjectKeys(text);
  if (new Set(keys).size !== keys.length) invalidRequest("A parameter was given more than once.");
  return params;
}
