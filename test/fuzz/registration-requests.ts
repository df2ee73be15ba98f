/**
 * Generated requests to `POST /oauth2/register`: client metadata as MCP clients send it, with
 * members left out, given values of the wrong type, URIs a registrant must not get, keys that
 * are private, members Baton ignores (or must: `organization_id`, `client_id`, `__proto__`), and
 * hostile requests around them (method, media type, broken JSON, size, extra headers).
 */
import fc from "fast-check";
import { BODY_LIMIT, JSON_TYPE, MEDIA_TYPES, encodeJson } from "./body-encodings";
import { REGISTRATION } from "./endpoints";
import { isEchoable } from "./parameter-values";
import type { FuzzRequest } from "./request-arbitraries";
import { headerCharacter, plainText, randomText } from "./text-arbitraries";

const GOOD_REDIRECT_URIS = [
  "https://app.example/callback",
  "cursor://anysphere.cursor-mcp/oauth/callback",
  "http://localhost:8787/callback",
  "http://127.0.0.1/cb",
  "http://[::1]:3000/cb",
  "com.example.app:/oauth2redirect",
];
const BAD_REDIRECT_URIS = [
  "javascript:alert(1)",
  "JavaScript:alert(1)",
  "data:text/html,<script>x</script>",
  "http://evil.example/cb",
  "https://app.example/cb#fragment",
  "https://user:pass@app.example/cb",
  "https://@app.example/cb",
  " https://app.example/cb",
  "https://app.example/\u202ecb",
  "intent://scan/#Intent;end",
  "file:///etc/passwd",
  "/relative/cb",
  "",
];
const GRANT_TYPES = [
  "authorization_code",
  "refresh_token",
  "client_credentials",
  "implicit",
  "password",
  "urn:ietf:params:oauth:grant-type:device_code",
];
const AUTH_METHODS = ["none", "client_secret_basic", "client_secret_post", "private_key_jwt", "client_secret_jwt", ""];
const SCOPES = ["openid", "openid email offline_access", "profile phone address", "admin root", "openid caf\u00e9", ""];
const URLS = [
  "https://app.example/",
  "https://cdn.app.example/logo.png",
  "http://app.example/",
  "https://bank.example@evil.example/",
  "https://app.example/#top",
  "javascript:alert(1)",
  "http://127.0.0.1:9/jwks",
];
// RFC 7517 Appendix A.1 and A.2: a public EC key, and the same key with its private part.
const PUBLIC_JWK = {
  kty: "EC",
  crv: "P-256",
  x: "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
  y: "4Etl6SRW2YilurN5VfrFWaXaFAkPFxa9E-CklR6Q6JI",
  kid: "1",
};
const PRIVATE_JWK = { ...PUBLIC_JWK, d: "870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE" };
const JWKS = [
  { keys: [PUBLIC_JWK] },
  { keys: [PRIVATE_JWK] },
  { keys: [] },
  { keys: [{ kty: "oct", k: "c2VjcmV0" }] },
  { keys: [{ ...PUBLIC_JWK, use: "enc" }] },
  [PUBLIC_JWK],
];
/** Members Baton must ignore, some of which a registrant would love it to read. */
const IGNORED = ["organization_id", "client_id", "client_secret", "client_kind", "secrets", "__proto__", "tos_uri"];

/** Words the generators use on purpose; a fixed description may well contain one. */
const VOCABULARY = new Set<string>([
  ...REGISTRATION.members,
  ...GRANT_TYPES,
  ...AUTH_METHODS,
  ...SCOPES.flatMap((scope) => scope.split(" ")),
  ...IGNORED,
]);

/** A value of any JSON type, to put where another belongs. */
const anyJson = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(null, 1, true, [], {}, [""], { a: "b" }));

const text = fc.oneof({ weight: 3, arbitrary: plainText }, { weight: 1, arbitrary: randomText });

/** Sometimes a good value, sometimes a bad one, sometimes one of the wrong type. */
function mostly<T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 6, arbitrary: good }, { weight: 2, arbitrary: bad }, { weight: 1, arbitrary: anyJson });
}

const redirectUris = mostly(
  fc.uniqueArray(fc.constantFrom(...GOOD_REDIRECT_URIS), { minLength: 1, maxLength: 3 }),
  fc.array(fc.oneof(fc.constantFrom(...GOOD_REDIRECT_URIS, ...BAD_REDIRECT_URIS), randomText), { maxLength: 4 }),
);

/** Each member's values. */
const MEMBER_VALUES: Record<(typeof REGISTRATION.members)[number], fc.Arbitrary<unknown>> = {
  redirect_uris: redirectUris,
  post_logout_redirect_uris: redirectUris,
  client_name: mostly(plainText, fc.oneof(randomText, fc.constant("a".repeat(201)))),
  software_id: mostly(plainText, randomText),
  software_version: mostly(fc.constantFrom("1.0.0", "2.1"), randomText),
  client_uri: mostly(fc.constant(URLS[0]), fc.oneof(fc.constantFrom(...URLS), text)),
  logo_uri: mostly(fc.constant(URLS[1]), fc.oneof(fc.constantFrom(...URLS), text)),
  jwks_uri: mostly(fc.constant("https://app.example/jwks.json"), fc.oneof(fc.constantFrom(...URLS), text)),
  contacts: mostly(fc.array(plainText, { maxLength: 3 }), fc.array(text, { maxLength: 12 })),
  application_type: mostly(fc.constantFrom("web", "native"), text),
  grant_types: mostly(
    fc.constantFrom(["authorization_code"], ["authorization_code", "refresh_token"]),
    fc.uniqueArray(fc.constantFrom(...GRANT_TYPES), { maxLength: 3 }),
  ),
  response_types: mostly(fc.constant(["code"]), fc.constantFrom(["token"], ["code", "id_token"], "code", [])),
  token_endpoint_auth_method: mostly(
    fc.constantFrom("none", "client_secret_basic", "client_secret_post"),
    fc.constantFrom(...AUTH_METHODS),
  ),
  scope: mostly(fc.constantFrom(...SCOPES.slice(0, 3)), fc.oneof(fc.constantFrom(...SCOPES), text)),
  jwks: mostly(fc.constant(JWKS[0]), fc.constantFrom(...JWKS)),
};

/** Client metadata: `redirect_uris` nearly always, the other members each now and then. */
const metadataArbitrary: fc.Arbitrary<[string, unknown][]> = fc
  .tuple(
    fc.option(MEMBER_VALUES.redirect_uris, { freq: 12, nil: undefined }),
    fc.subarray(REGISTRATION.members.filter((name) => name !== "redirect_uris")),
    fc.array(fc.tuple(fc.oneof(fc.constantFrom(...IGNORED), randomText), anyJson), { maxLength: 2 }),
  )
  .chain(([uris, names, ignored]) =>
    fc
      .tuple(...names.map((name) => MEMBER_VALUES[name].map((value): [string, unknown] => [name, value])))
      .map((members): [string, unknown][] => [
        ...(uris === undefined ? [] : [["redirect_uris", uris] as [string, unknown]]),
        ...members,
        ...ignored,
      ]),
  );

/** Bodies that are not one JSON object, or are too large. */
const hostileBody = fc.oneof(
  fc.constantFrom("", "{", "[]", "null", '"x"', "{'a':1}", '{"redirect_uris":}', "\ufeff{}"),
  fc.uint8Array({ maxLength: 512 }),
  fc.integer({ min: -2, max: 2 }).map((delta) => `{"client_name":"${"x".repeat(BODY_LIMIT + delta - 18)}"}`),
  fc.integer({ min: 1, max: 300 }).map((depth) => `{"jwks":${"[".repeat(depth)}${"]".repeat(depth)}}`),
);

/** Generated metadata giving one member twice, at the top or inside `jwks` (RFC 7493 §2.3). */
const repeatedNameBody = fc.oneof(
  metadataArbitrary
    .filter((members) => members.length > 0)
    .chain((members) => fc.nat(members.length - 1).map((i) => encodeJson([...members, members[i]!]))),
  fc.constantFrom('{"redirect_uris":["https://app.example/cb"],"jwks":{"keys":[],"keys":[]}}'),
);

/** A few sources, so that some of them reach the limit of 20 registrations a minute. */
const source = fc.constantFrom("192.0.2.10", "192.0.2.11", "192.0.2.12", "192.0.2.13");

/** Registration requests: mostly well-formed JSON with generated metadata, the rest hostile. */
export function registrationRequestArbitrary(): fc.Arbitrary<FuzzRequest> {
  const wellFormed = fc
    .record({
      metadata: metadataArbitrary,
      charset: fc.constantFrom("", "; charset=utf-8", "; charset=UTF-8"),
      source,
    })
    .map(({ metadata, charset, source }): FuzzRequest => ({
      method: "POST",
      path: REGISTRATION.path,
      query: "",
      headers: [
        ["Content-Type", JSON_TYPE + charset],
        ["CF-Connecting-IP", source],
      ],
      body: encodeJson(metadata),
      echoable: echoableOf(metadata),
    }));
  const hostile = fc
    .record({
      metadata: metadataArbitrary,
      body: fc.option(fc.oneof(hostileBody, repeatedNameBody), { freq: 2 }),
      mediaType: fc.option(
        fc.oneof(fc.constantFrom(...MEDIA_TYPES), fc.string({ unit: headerCharacter, maxLength: 30 })),
      ),
      method: fc.oneof(
        { weight: 8, arbitrary: fc.constant("POST") },
        { weight: 1, arbitrary: fc.constantFrom("GET", "PUT", "DELETE", "PATCH") },
      ),
      source,
    })
    .map(({ metadata, body, mediaType, method, source }): FuzzRequest => ({
      method,
      path: REGISTRATION.path,
      query: "",
      headers: [
        ...(mediaType === null ? [] : [["Content-Type", mediaType] as [string, string]]),
        ["CF-Connecting-IP", source],
      ],
      body: method === "GET" ? null : (body ?? encodeJson(metadata)),
      echoable: echoableOf(metadata),
    }));
  return fc.oneof({ weight: 3, arbitrary: wellFormed }, { weight: 1, arbitrary: hostile });
}

/** Every distinctive string in the metadata, member names included, however deeply nested. */
function echoableOf(metadata: [string, unknown][]): string[] {
  const found: string[] = [];
  const visit = (value: unknown): void => {
    if (typeof value === "string") found.push(value);
    else if (Array.isArray(value)) value.forEach(visit);
    else if (typeof value === "object" && value !== null) {
      for (const [name, member] of Object.entries(value)) {
        found.push(name);
        visit(member);
      }
    }
  };
  for (const [name, value] of metadata) {
    found.push(name);
    visit(value);
  }
  return found.filter(
    (text) => isEchoable(text) && !text.split(" ").every((word) => word === "" || VOCABULARY.has(word)),
  );
}
