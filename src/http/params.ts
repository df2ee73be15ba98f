/**
 * Parameters of an OAuth endpoint request: form or JSON body, strictly parsed.
 *
 * @see RFC 6749 §3.1, §3.2 and Appendix B
 */
import { invalidRequest } from "../errors";
import { readBodyCapped } from "./body";
import { repeatsMemberName } from "./repeated-names";

/**
 * A request's parameters. An empty value counts as absent (RFC 6749 §3.1), so it is not in the
 * map; a parameter given twice was refused while parsing, except `resource` and `audience`,
 * which RFC 8707 §2 and RFC 8693 §2.1 let a client repeat: their values are in `resources` and
 * `audiences`, in order, and never in the map.
 */
export interface Params extends ReadonlyMap<string, string> {
  readonly resources: readonly string[];
  readonly audiences: readonly string[];
}

type ParamMap = Map<string, string> & { resources: string[]; audiences: string[] };

function paramMap(): ParamMap {
  return Object.assign(new Map<string, string>(), { resources: [] as string[], audiences: [] as string[] });
}

/** The list a repeatable parameter's values go to; `undefined` for every other name. */
function repeatable(params: ParamMap, name: string): string[] | undefined {
  if (name === "resource") return params.resources;
  if (name === "audience") return params.audiences;
  return undefined;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
// Inside a value a BOM is a character like any other, not a marker to drop.
const utf8Value = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();
// A UTF-16 code unit with no partner: JSON can escape one, but no UTF-8 text holds one.
const LONE_SURROGATE = /\p{Cs}/u;

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
  const params = paramMap();
  const seen = new Set<string>();
  for (const pair of text.split("&")) {
    if (pair === "") continue;
    const equals = pair.indexOf("=");
    const name = formDecode(equals < 0 ? pair : pair.slice(0, equals));
    const value = formDecode(equals < 0 ? "" : pair.slice(equals + 1));
    const list = repeatable(params, name);
    if (list !== undefined) {
      if (value !== "") list.push(value);
      continue;
    }
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
  const params = paramMap();
  for (const [name, raw] of Object.entries(parsed)) {
    // JSON has no repeated names: several resources (or audiences) come as an array of strings.
    const values = repeatable(params, name) !== undefined && Array.isArray(raw) ? (raw as unknown[]) : [raw];
    for (const value of values) readJsonParam(params, name, value);
  }
  // JSON.parse keeps the last of two equal keys silently; a repeat must be refused as it is in
  // a form body.
  if (repeatsMemberName(text)) invalidRequest("A parameter was given more than once.");
  return params;
}

function readJsonParam(params: ParamMap, name: string, value: unknown): void {
  if (value !== null && typeof value !== "string") invalidRequest("Every JSON parameter must be a string.");
  if (LONE_SURROGATE.test(name) || (value !== null && LONE_SURROGATE.test(value))) {
    invalidRequest("The body is not valid UTF-8.");
  }
  if (value === null || value === "") return;
  const list = repeatable(params, name);
  if (list !== undefined) list.push(value);
  else params.set(name, value);
}

/**
 * Decodes one name or value of a form body: `+` is a space and `%XX` a byte, as URLSearchParams
 * does, but the bytes must then be UTF-8 (Appendix B), where URLSearchParams would silently put
 * U+FFFD in place of a bad sequence. A `%` that starts no escape stays as it is.
 */
function formDecode(text: string): string {
  if (!text.includes("%")) return text.replace(/\+/g, " ");
  const input = encoder.encode(text.replace(/\+/g, " "));
  const output = new Uint8Array(input.length);
  let length = 0;
  for (let i = 0; i < input.length; i++) {
    const byte = input[i]!;
    const escaped = byte === 0x25 ? hexByte(input[i + 1], input[i + 2]) : undefined;
    if (escaped === undefined) {
      output[length++] = byte;
    } else {
      output[length++] = escaped;
      i += 2;
    }
  }
  try {
    return utf8Value.decode(output.subarray(0, length));
  } catch {
    invalidRequest("The body is not valid UTF-8.");
  }
}

function hexByte(high: number | undefined, low: number | undefined): number | undefined {
  const h = hexDigit(high);
  const l = hexDigit(low);
  return h === undefined || l === undefined ? undefined : h * 16 + l;
}

function hexDigit(code: number | undefined): number | undefined {
  if (code === undefined) return undefined;
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : undefined;
}
