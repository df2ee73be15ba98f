/**
 * Generated requests to the endpoints that take a client-authenticated POST body: half of them
 * well-formed (what varies is the client, the grant and its values), half hostile (method,
 * query, media type, encoding, size, repeated parameters, extra headers).
 */
import fc from "fast-check";
import { BASE } from "../support/worker";
import { FORM, JSON_TYPE, MEDIA_TYPES, bodyArbitrary, encodeForm, encodeJson } from "./body-encodings";
import { authenticationArbitrary, type Authentication } from "./client-authentications";
import { ENDPOINTS, type Endpoint, type Pair } from "./endpoints";
import type { FuzzFixtures } from "./fixtures";
import { ODD_NAMES, isEchoable, valueFor } from "./parameter-values";
import { headerCharacter, plainText, randomText } from "./text-arbitraries";

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
  if (endpoint === "device") {
    return fc
      .tuple(
        fc.option(valueFor("scope", fixtures, plainText), { nil: undefined }),
        fc.option(valueFor("resource", fixtures, plainText), { nil: undefined }),
      )
      .map(([scope, resource]): Pair[] => [
        ...(scope === undefined ? [] : [["scope", scope] as Pair]),
        ...(resource === undefined ? [] : [["resource", resource] as Pair]),
      ]);
  }
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

const b64 = (value: unknown) => btoa(JSON.stringify(value)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const dpopHeader = fc.oneof(
  fc.string({ unit: headerCharacter, maxLength: 60 }),
  fc
    .constantFrom<Record<string, unknown>>(
      { typ: "dpop+jwt", alg: "HS256", jwk: { kty: "oct", k: "c2VjcmV0" } },
      { typ: "dpop+jwt", alg: "ES256", jwk: { kty: "EC", crv: "P-256", x: "AAAA", y: "AAAA", d: "AAAA" } },
      // A public key WebCrypto cannot import: a point off the curve.
      { typ: "dpop+jwt", alg: "ES256", jwk: { kty: "EC", crv: "P-256", x: "AAAA", y: "AAAA" } },
      { typ: "dpop+jwt", alg: "RS256", jwk: { kty: "RSA", n: "A".repeat(3000), e: "AQAB" } },
      { typ: "dpop+jwt", alg: "none" },
      { typ: "JWT", alg: "ES256" },
    )
    .map(
      (header) =>
        `${b64(header)}.${b64({ htm: "POST", htu: "https://baton.test/oauth2/token", jti: "j", iat: 1 })}.AAAA`,
    ),
  fc.constant("a.b.c, d.e.f"),
);

/** Extra headers a client, a proxy or an attacker might add. */
const extraHeaders = fc.uniqueArray(
  fc.oneof(
    fc.tuple(
      fc.constantFrom("Accept", "X-Forwarded-For", "Origin", "Cookie", "Content-Encoding", "Accept-Encoding"),
      fc.string({ unit: headerCharacter, maxLength: 30 }),
    ),
    fc.tuple(fc.constant("Content-Length"), fc.constantFrom("0", "1", "abc", "-1", "99999999999999999999", "65537")),
    fc.tuple(fc.constant("Content-Encoding"), fc.constantFrom("gzip", "br", "identity")),
    // DPoP proofs (RFC 9449): malformed JWTs, a symmetric, private, unusable or huge key, two proofs.
    fc.tuple(fc.constant("DPoP"), dpopHeader),
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
