/**
 * Generated requests to the endpoints that take a client-authenticated POST body: parameters
 * (known names with plausible, real, near-valid and random values, repeats included), encodings
 * (form, raw form, JSON, broken JSON, binary, empty, around the 64 KiB limit), media types and
 * client authentication (right, wrong, broken Basic, both methods, other schemes).
 */
import fc from "fast-check";
import { BASE } from "../support/worker";
import type { FuzzFixtures } from "./fixtures";
import { realTokens } from "./fixtures";
import { mutate, mutationArbitrary } from "./token-mutations";

/** The endpoints under test and the parameters each reads. */
export const ENDPOINTS = {
  token: {
    path: "/oauth2/token",
    names: ["grant_type", "refresh_token", "code", "redirect_uri", "code_verifier", "scope"],
  },
  revoke: { path: "/oauth2/revoke", names: ["token", "token_type_hint"] },
  introspection: { path: "/oauth2/introspection", names: ["token", "token_type_hint"] },
} as const;

export type Endpoint = keyof typeof ENDPOINTS;

/** A generated request, kept as data so that a failing case prints readably. */
export interface FuzzRequest {
  method: string;
  path: string;
  query: string;
  headers: [string, string][];
  body: string | Uint8Array | null;
  /** Input strings an answer must never repeat (random or secret, long enough to tell). */
  echoable: string[];
}

type Pair = [string, string];

/** How the request authenticates its client: headers and body parameters. */
interface Authentication {
  label: string;
  headers: [string, string][];
  params: Pair[];
  echoable: string[];
}

const FORM = "application/x-www-form-urlencoded";
const JSON_TYPE = "application/json";
const LIMIT = 64 * 1024;

/**
 * Characters for header values: ASCII without NUL, CR and LF, which the Fetch standard refuses
 * (workerd would send bytes above 0x7F as UTF-8, with a warning per request).
 */
const headerCharacter = fc
  .integer({ min: 0x01, max: 0x7e })
  .filter((c) => c !== 0x0a && c !== 0x0d)
  .map((c) => String.fromCharCode(c));

/** Short strings of every kind: ASCII, any Unicode (lone surrogates included), control bytes. */
const randomText = fc.oneof(
  fc.string({ maxLength: 24 }),
  fc.string({ unit: "binary", maxLength: 24 }),
  fc.string({
    unit: fc.constantFrom("\0", "\u0001", "%", "+", "&", "=", "\\", '"', "\ud800", "\udfff", "\ufeff"),
    maxLength: 8,
  }),
);

const GRANT_TYPES = [
  "refresh_token",
  "authorization_code",
  "client_credentials",
  "password",
  "implicit",
  "urn:ietf:params:oauth:grant-type:device_code",
  "urn:ietf:params:oauth:grant-type:jwt-bearer",
  "REFRESH_TOKEN",
  "refresh_token ",
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
];
const SCOPES = [
  "openid",
  "profile",
  "email",
  "offline_access",
  "reports:read",
  "admin",
  "openid openid",
  "  openid  email ",
];
const HINTS = ["access_token", "refresh_token", "id_token", "authorization_code", "urn:x"];
const ODD_NAMES = ["__proto__", "constructor", "grant_type[]", "GRANT_TYPE", " grant_type", "token ", "a=b", "%00", ""];

const MEDIA_TYPES = [
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

const BROKEN_BASIC = [
  "Basic",
  "Basic ",
  "Basic =",
  "Basic ====",
  "Basic !!!!",
  "Basic Og==",
  `Basic ${btoa("no-colon-here")}`,
  `Basic ${btoa(":")}`,
  `Basic ${btoa(":secret")}`,
  `Basic ${btoa("%zz:%zz")}`,
  `Basic ${btoa("%E0%A4%A:x")}`,
  `Basic ${btoa("\u00ff\u00fe:\u00ff")}`,
  `Basic ${btoa("a:b")} extra`,
  `Basic  ${btoa("a:b")}`,
  `basic ${btoa("a:b")}`,
  `Basic ${"A".repeat(9000)}`,
  "Bearer token",
  "Bearer",
  "Digest username=x",
  "Negotiate abc",
  "",
];

/** Printable ASCII: random, but valid in every encoding, so it gets past the parsing. */
const plainText = fc.string({ minLength: 1, maxLength: 24 });

/**
 * Generated values for one parameter name. A token parameter gets real tokens of the kind it
 * names most often, any real token sometimes, near-valid and random ones the rest of the time.
 */
function valueFor(name: string, fixtures: FuzzFixtures, text = randomText): fc.Arbitrary<string> {
  const tokens = realTokens(fixtures);
  const ofKind =
    name === "refresh_token"
      ? fixtures.families.map((f) => f.refreshToken)
      : name === "code"
        ? fixtures.codes.map((c) => c.code)
        : tokens;
  const real = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...ofKind) },
    { weight: 1, arbitrary: fc.constantFrom(...tokens) },
  );
  const nearValid = fc.tuple(real, mutationArbitrary).map(([token, m]) => mutate(token, m, tokens));
  const tokenValue = fc.oneof(
    { weight: 3, arbitrary: real },
    { weight: 5, arbitrary: nearValid },
    { weight: 2, arbitrary: text },
    {
      weight: 1,
      arbitrary: fc.constantFrom("rt_", "ac_", "eyJ", "rt_" + "A".repeat(70), "a.b.c", "..", "x".repeat(9000)),
    },
  );
  switch (name) {
    case "grant_type":
      return fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...GRANT_TYPES) }, { weight: 1, arbitrary: text });
    case "refresh_token":
    case "code":
    case "token":
      return tokenValue;
    case "redirect_uri":
      return fc.oneof(
        { weight: 3, arbitrary: fc.constant(fixtures.redirectUri) },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            `${fixtures.redirectUri}/`,
            "https://evil.example/callback",
            "http://app.example/callback",
          ),
        },
        { weight: 1, arbitrary: text },
      );
    case "code_verifier":
      return fc.oneof(
        {
          weight: 3,
          arbitrary: fc.constantFrom(
            ...fixtures.codes.flatMap((c) => (c.codeVerifier === undefined ? [] : [c.codeVerifier])),
          ),
        },
        {
          weight: 1,
          arbitrary: fc.string({ unit: fc.constantFrom(..."abcXYZ019-._~"), minLength: 0, maxLength: 200 }),
        },
        { weight: 1, arbitrary: text },
      );
    case "scope":
      return fc.oneof(
        fc.subarray(SCOPES, { minLength: 1 }).map((s) => s.join(" ")),
        fc.constantFrom(...SCOPES),
        text,
      );
    case "token_type_hint":
      return fc.oneof(fc.constantFrom(...HINTS), text);
    default:
      return text;
  }
}

/** Words the generators use on purpose; a description may well contain one of them. */
const VOCABULARY = new Set<string>([
  ...Object.values(ENDPOINTS).flatMap((e) => e.names),
  ...GRANT_TYPES,
  ...SCOPES.flatMap((s) => s.split(" ")),
  ...HINTS,
  ...ODD_NAMES,
  "client_id",
  "client_secret",
]);

/**
 * Whether a string is distinctive enough that finding it in a description means an echo: long
 * enough, not a word the generators use on purpose.
 */
function isEchoable(text: string): boolean {
  const words = text.split(" ").filter((word) => word !== "");
  return text.length >= 8 && new Set(text).size >= 4 && !words.every((word) => VOCABULARY.has(word));
}

/** A request for each grant type with the parameters that grant reads, each sometimes left out. */
function grantRequestArbitrary(fixtures: FuzzFixtures): fc.Arbitrary<Pair[]> {
  const value = (name: string) => valueFor(name, fixtures, plainText);
  const optional = (name: string, freq: number) =>
    fc.option(value(name), { freq, nil: undefined }).map((v): Pair[] => (v === undefined ? [] : [[name, v]]));
  const grant = (type: string, ...parts: fc.Arbitrary<Pair[]>[]) =>
    fc.tuple(...parts).map((lists): Pair[] => [["grant_type", type], ...lists.flat()]);
  return fc.oneof(
    { weight: 4, arbitrary: grant("refresh_token", optional("refresh_token", 10), optional("scope", 2)) },
    {
      weight: 3,
      arbitrary: grant(
        "authorization_code",
        optional("code", 10),
        optional("redirect_uri", 6),
        optional("code_verifier", 6),
      ),
    },
    { weight: 2, arbitrary: grant("client_credentials", optional("scope", 2)) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(value("grant_type"), optional("refresh_token", 2), optional("code", 2))
        .map(([type, ...rest]): Pair[] => [["grant_type", type], ...rest.flat()]),
    },
  );
}

/** Parameters a well-formed request to `endpoint` carries: each name once, values that parse. */
function wellFormedParams(endpoint: Endpoint, fixtures: FuzzFixtures): fc.Arbitrary<Pair[]> {
  if (endpoint === "token") return grantRequestArbitrary(fixtures);
  return fc
    .tuple(
      fc.option(valueFor("token", fixtures, plainText), { freq: 10, nil: undefined }),
      fc.option(valueFor("token_type_hint", fixtures, plainText), { nil: undefined }),
    )
    .map(([token, hint]): Pair[] => [
      ...(token === undefined ? [] : [["token", token] as Pair]),
      ...(hint === undefined ? [] : [["token_type_hint", hint] as Pair]),
    ]);
}

/** Parameters of any kind: the endpoint's names and others, any values, sometimes one twice. */
function hostileParams(endpoint: Endpoint, fixtures: FuzzFixtures): fc.Arbitrary<Pair[]> {
  const names = ENDPOINTS[endpoint].names;
  const known = fc.constantFrom(...names).chain((name) => valueFor(name, fixtures).map((v): Pair => [name, v]));
  const other = fc.tuple(fc.oneof(fc.constantFrom(...ODD_NAMES), randomText), randomText);
  const pairs = fc.uniqueArray(fc.oneof({ weight: 6, arbitrary: known }, { weight: 1, arbitrary: other }), {
    selector: ([name]) => name,
    maxLength: 6,
  });
  return fc
    .tuple(pairs, fc.option(fc.nat(), { freq: 3 }))
    .map(([list, repeat]) => (repeat === null || list.length === 0 ? list : [...list, list[repeat % list.length]!]));
}

/** Client authentication, right and wrong. Only `victim` and unknown ids ever fail. */
function authenticationArbitrary(fixtures: FuzzFixtures): fc.Arbitrary<Authentication> {
  const { web, spa, machine, victim } = fixtures;
  // Each half form-encoded first (RFC 6749 §2.3.1); lone surrogates become bytes that are not UTF-8.
  const basic = (id: string, secret: string) => `Basic ${btoa(`${formEncode(id)}:${formEncode(secret)}`)}`;
  const ok = (label: string, headers: [string, string][], params: Pair[], secret?: string): Authentication => ({
    label,
    headers,
    params,
    echoable: secret === undefined ? [] : [secret],
  });
  const randomSecret = fc.string({ minLength: 1, maxLength: 40 });
  const unknownId = fc.oneof(randomText, fc.constantFrom("client_" + "A".repeat(22), "c".repeat(200)));
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.constant(
        ok("web basic", [["Authorization", basic(web.client_id, web.client_secret!)]], [], web.client_secret),
      ),
    },
    {
      weight: 2,
      arbitrary: fc.constant(
        ok(
          "web post",
          [],
          [
            ["client_id", web.client_id],
            ["client_secret", web.client_secret!],
          ],
          web.client_secret,
        ),
      ),
    },
    { weight: 2, arbitrary: fc.constant(ok("spa none", [], [["client_id", spa.client_id]])) },
    {
      weight: 1,
      arbitrary: fc.constant(ok("spa basic empty secret", [["Authorization", basic(spa.client_id, "")]], [])),
    },
    {
      weight: 2,
      arbitrary: fc.constant(
        ok(
          "machine basic",
          [["Authorization", basic(machine.client_id, machine.client_secret!)]],
          [],
          machine.client_secret,
        ),
      ),
    },
    {
      weight: 1,
      arbitrary: randomSecret.map((s) =>
        ok("victim wrong basic", [["Authorization", basic(victim.client_id, s)]], [], s),
      ),
    },
    {
      weight: 1,
      arbitrary: randomSecret.map((s) =>
        ok(
          "victim wrong post",
          [],
          [
            ["client_id", victim.client_id],
            ["client_secret", s],
          ],
          s,
        ),
      ),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(unknownId, randomSecret)
        .map(([id, s]) => ok("unknown basic", [["Authorization", basic(id, s)]], [], s)),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(unknownId, fc.option(randomSecret))
        .map(([id, s]) =>
          ok(
            "unknown post",
            [],
            [["client_id", id], ...(s === null ? [] : [["client_secret", s] as Pair])],
            s ?? undefined,
          ),
        ),
    },
    {
      weight: 2,
      arbitrary: fc
        .oneof(fc.constantFrom(...BROKEN_BASIC), fc.string({ unit: headerCharacter, maxLength: 40 }))
        .map((h) => ok("broken authorization", [["Authorization", h]], [])),
    },
    {
      weight: 1,
      arbitrary: fc.constant(
        ok(
          "both methods",
          [["Authorization", basic(web.client_id, web.client_secret!)]],
          [["client_secret", web.client_secret!]],
          web.client_secret,
        ),
      ),
    },
    {
      weight: 1,
      arbitrary: fc.constant(
        ok(
          "client_id mismatch",
          [["Authorization", basic(web.client_id, web.client_secret!)]],
          [["client_id", spa.client_id]],
          web.client_secret,
        ),
      ),
    },
    { weight: 1, arbitrary: fc.constant(ok("no authentication", [], [])) },
  );
}

/** How the parameters become bytes. */
type Encoding = "form" | "raw-form" | "json" | "json-any-values" | "broken-json" | "binary" | "empty" | "near-limit";

function encodeForm(pairs: Pair[]): string {
  return pairs.map(([n, v]) => `${formEncode(n)}=${formEncode(v)}`).join("&");
}

/**
 * Form-encodes like URLSearchParams, except that a lone surrogate becomes the bytes of its
 * generalised UTF-8 form (ED A0 80 for U+D800) instead of U+FFFD, so that the body carries
 * bytes that are not UTF-8.
 */
function formEncode(text: string): string {
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
function encodeJson(members: [string, unknown][]): string {
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
function bodyArbitrary(
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
          const padding = LIMIT + delta - head.length - 3;
          return head + (padding > 0 ? `&p=${"x".repeat(padding)}` : "");
        })
        .map(as("near-limit")),
    },
  );
}

/** Extra headers a client, a proxy or an attacker might add. */
const extraHeaders = fc.uniqueArray(
  fc.oneof(
    fc.tuple(
      fc.constantFrom("Accept", "X-Forwarded-For", "Origin", "Cookie", "Content-Encoding", "Accept-Encoding"),
      fc.string({ unit: headerCharacter, maxLength: 30 }),
    ),
    fc.tuple(fc.constant("Content-Length"), fc.constantFrom("0", "1", "abc", "-1", "99999999999999999999", "65537")),
    fc.tuple(fc.constant("Content-Encoding"), fc.constantFrom("gzip", "br", "identity")),
  ),
  { selector: ([name]) => name.toLowerCase(), maxLength: 2 },
);

const queryArbitrary = fc.oneof(
  { weight: 10, arbitrary: fc.constant("") },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "?client_secret=x",
      "?client_secret",
      "?grant_type=client_credentials",
      "?%zz=%&%=%E0%A4%A",
      "?token=x",
    ),
  },
);

/**
 * A request that gets past the parsing: POST, a declared media type that matches a form or JSON
 * body, each parameter once. What varies is the client authentication, the grant and its values.
 */
function wellFormedRequest(endpoint: Endpoint, fixtures: FuzzFixtures): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      params: wellFormedParams(endpoint, fixtures),
      auth: authenticationArbitrary(fixtures),
      json: fc.boolean(),
      mediaType: fc.constantFrom("", "; charset=UTF-8", "; charset=utf-8"),
    })
    .map(({ params, auth, json, mediaType }) => {
      const pairs = [...params, ...auth.params];
      return {
        method: "POST",
        path: ENDPOINTS[endpoint].path,
        query: "",
        headers: [["Content-Type", (json ? JSON_TYPE : FORM) + mediaType], ...auth.headers],
        body: json ? encodeJson(pairs) : encodeForm(pairs),
        echoable: echoableOf(pairs, auth),
      };
    });
}

/** A request with anything wrong with it: method, query, media type, encoding, size, headers. */
function hostileRequest(endpoint: Endpoint, fixtures: FuzzFixtures): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      params: hostileParams(endpoint, fixtures),
      auth: authenticationArbitrary(fixtures),
      mediaType: fc.option(
        fc.oneof(
          { weight: 6, arbitrary: fc.constantFrom(...MEDIA_TYPES) },
          { weight: 1, arbitrary: fc.string({ unit: headerCharacter, maxLength: 30 }) },
        ),
        { freq: 12 },
      ),
      matchMediaType: fc.boolean(),
      extra: extraHeaders,
      query: queryArbitrary,
      method: fc.oneof(
        { weight: 20, arbitrary: fc.constant("POST") },
        { weight: 1, arbitrary: fc.constantFrom("GET", "PUT", "DELETE", "PATCH", "OPTIONS") },
      ),
    })
    .chain((parts) => {
      const pairs = [...parts.params, ...parts.auth.params];
      return bodyArbitrary(pairs, parts.params.length).map(({ encoding, body }) => {
        // Half the requests declare the media type their encoding matches; the rest get any.
        const declared =
          parts.matchMediaType && encoding !== "binary"
            ? encoding.includes("json")
              ? JSON_TYPE
              : FORM
            : parts.mediaType;
        const headers: [string, string][] = [
          ...(declared === null ? [] : [["Content-Type", declared] as [string, string]]),
          ...parts.auth.headers,
          ...parts.extra,
        ];
        return {
          method: parts.method,
          path: ENDPOINTS[endpoint].path,
          query: parts.query,
          headers,
          body: parts.method === "GET" ? null : body,
          echoable: echoableOf(pairs, parts.auth),
        };
      });
    });
}

function echoableOf(pairs: Pair[], auth: Authentication): string[] {
  return [...pairs.flatMap(([n, v]) => [n, v]), ...auth.echoable].filter(isEchoable);
}

/** Requests to `endpoint` built from the fixtures' clients and tokens: half well-formed. */
export function requestArbitrary(endpoint: Endpoint, fixtures: FuzzFixtures): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(wellFormedRequest(endpoint, fixtures), hostileRequest(endpoint, fixtures));
}

/** The request as workerd will receive it. */
export function toRequest(fuzz: FuzzRequest): Request {
  return new Request(BASE + fuzz.path + fuzz.query, {
    method: fuzz.method,
    headers: fuzz.headers,
    body: fuzz.body,
    redirect: "manual",
  });
}

/** A short description of a request for failure messages (no huge bodies). */
export function describeRequest(fuzz: FuzzRequest): string {
  const body =
    fuzz.body === null
      ? "null"
      : typeof fuzz.body === "string"
        ? JSON.stringify(fuzz.body.length > 300 ? `${fuzz.body.slice(0, 300)}…(${fuzz.body.length} chars)` : fuzz.body)
        : `<${fuzz.body.length} bytes>`;
  const headers = fuzz.headers.map(([n, v]) => `${n}: ${JSON.stringify(v.length > 120 ? `${v.slice(0, 120)}…` : v)}`);
  return `${fuzz.method} ${fuzz.path}${fuzz.query}\n  ${headers.join("\n  ")}\n  body ${body}`;
}
