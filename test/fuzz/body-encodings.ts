/**
 * How generated parameters become a request body: form (encoded or raw), JSON (repeated names,
 * values of any type, broken texts), random bytes, nothing, or a body around the 64 KiB limit.
 */
import fc from "fast-check";
import type { Pair } from "./endpoints";

export const FORM = "application/x-www-form-urlencoded";
export const JSON_TYPE = "application/json";
/** The largest body the endpoints read (the contract's 64 KiB). */
export const BODY_LIMIT = 64 * 1024;

export const MEDIA_TYPES = [
  FORM,
  `${FORM}; charset=UTF-8`,
  "APPLICATION/X-WWW-FORM-URLENCODED",
  ` ${FORM} `,
  `${FORM};;;`,
  `${FORM}, ${JSON_TYPE}`,
  JSON_TYPE,
  `${JSON_TYPE}; charset=utf-8`,
  "Application/Json",
  `${JSON_TYPE}+x`,
  "text/plain",
  "text/plain;charset=UTF-8",
  "multipart/form-data; boundary=xyz",
  "application/jwt",
  "application/xml",
  "*/*",
  "",
];

/** How the parameters become bytes. */
export type Encoding =
  "form" | "raw-form" | "json" | "json-any-values" | "broken-json" | "binary" | "empty" | "near-limit";

export function encodeForm(pairs: Pair[]): string {
  return pairs.map(([n, v]) => `${formEncode(n)}=${formEncode(v)}`).join("&");
}

/**
 * Form-encodes like URLSearchParams, except that a lone surrogate becomes the bytes of its
 * generalised UTF-8 form (ED A0 80 for U+D800) instead of U+FFFD, so that the body carries
 * bytes that are not UTF-8.
 */
export function formEncode(text: string): string {
  return text
    .replace(/\p{Cs}|[^\p{Cs}]+/gu, (part) => {
      if (!/^\p{Cs}$/u.test(part)) return encodeURIComponent(part);
      const c = part.charCodeAt(0);
      return [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`)
        .join("");
    })
    .replace(/%20/g, "+");
}

/** A JSON object text that keeps repeated names (JSON.stringify of an object cannot). */
export function encodeJson(members: [string, unknown][]): string {
  return `{${members.map(([n, v]) => `${JSON.stringify(n)}:${JSON.stringify(v) ?? "null"}`).join(",")}}`;
}

const brokenJson = fc.oneof(
  fc.constantFrom(
    "",
    "{",
    "}",
    "[]",
    "null",
    '"x"',
    "1",
    "{}",
    '{"a":}',
    '{"a":"b",}',
    "{'a':'b'}",
    '{"a":"\\u"}',
    "\ufeff{}",
    '{"grant_type":"refresh_token","grant_type":"client_credentials"}',
    '{"grant_type":"refresh_token","\u0067rant_type":"client_credentials"}',
  ),
  fc.json(),
  fc.string({ maxLength: 40 }).map((s) => `{"grant_type":${s}`),
);

/** A value of any JSON type, to put where a string belongs. */
const anyJsonValue = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(null, 1, true, [], {}, [""], { a: "b" }));

/**
 * Bodies for `pairs`. The first `free` pairs may be given values of other JSON types; the rest
 * (client credentials) stay strings, since a null secret would count as a failed authentication.
 */
export function bodyArbitrary(
  pairs: Pair[],
  free: number,
): fc.Arbitrary<{ encoding: Encoding; body: string | Uint8Array | null }> {
  const as = (encoding: Encoding) => (body: string | Uint8Array | null) => ({ encoding, body });
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(encodeForm(pairs)).map(as("form")) },
    { weight: 1, arbitrary: fc.constant(pairs.map(([n, v]) => `${n}=${v}`).join("&")).map(as("raw-form")) },
    { weight: 4, arbitrary: fc.constant(encodeJson(pairs)).map(as("json")) },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.option(anyJsonValue, { freq: 2, nil: undefined }), { minLength: free, maxLength: free })
        .map((values) => encodeJson(pairs.map(([n, v], i) => [n, i < free && values[i] !== undefined ? values[i] : v])))
        .map(as("json-any-values")),
    },
    { weight: 1, arbitrary: brokenJson.map(as("broken-json")) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2048 }).map(as("binary")) },
    { weight: 1, arbitrary: fc.constantFrom<string | null>("", null).map(as("empty")) },
    {
      // Bodies at and just past the limit: the padding keeps every parameter, so a body under
      // the limit is read like any other.
      weight: 1,
      arbitrary: fc
        .integer({ min: -3, max: 3 })
        .map((delta) => {
          const head = encodeForm(pairs);
          const padding = BODY_LIMIT + delta - head.length - 3;
          return head + (padding > 0 ? `&p=${"x".repeat(padding)}` : "");
        })
        .map(as("near-limit")),
    },
  );
}
