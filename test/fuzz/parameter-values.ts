/**
 * Generated parameter values: for each name the generators know, plausible, real, near-valid
 * and random values; and which input strings an answer must never repeat.
 */
import fc from "fast-check";
import { ENDPOINTS } from "./endpoints";
import { realTokens, type FuzzFixtures } from "./fixtures";
import { randomText } from "./text-arbitraries";
import { mutate, mutationArbitrary } from "./token-mutations";

const GRANT_TYPES = [
  "refresh_token",
  "authorization_code",
  "client_credentials",
  "urn:ietf:params:oauth:grant-type:token-exchange",
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
const RESOURCES = [
  "https://mcp.example.com/mcp",
  "HTTPS://MCP.Example.com:443/mcp",
  "http://localhost:3000/mcp",
  "http://mcp.example.com/mcp",
  "https://mcp.example.com/mcp#f",
  "/relative",
  "urn:example:api",
  "https://user@mcp.example.com/",
  "https://mcp.example.com\\x/mcp",
  "https://mcp.example.com/a/../mcp",
  "https:mcp.example.com/mcp",
  "https://mcp.example.com/%ZZ",
  "https://%6Dcp.example.com/mcp",
];
export const ODD_NAMES = [
  "__proto__",
  "constructor",
  "grant_type[]",
  "GRANT_TYPE",
  " grant_type",
  "token ",
  "a=b",
  "%00",
  "",
];

/**
 * Generated values for one parameter name. A token parameter gets real tokens of the kind it
 * names most often, any real token sometimes, near-valid and random ones the rest of the time.
 */
export function valueFor(name: string, fixtures: FuzzFixtures, text = randomText): fc.Arbitrary<string> {
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
      arbitrary: fc.constantFrom("rt_", "ac_", "eyJ", "rt_" + "A".repeat(91), "a.b.c", "..", "x".repeat(9000)),
    },
  );
  switch (name) {
    case "grant_type":
      return fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...GRANT_TYPES) }, { weight: 1, arbitrary: text });
    case "refresh_token":
    case "code":
    case "token":
    case "subject_token":
    case "device_code":
      return tokenValue;
    case "subject_token_type":
      return fc.oneof(
        fc.constantFrom("urn:ietf:params:oauth:token-type:access_token", "urn:ietf:params:oauth:token-type:jwt"),
        text,
      );
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
    case "resource":
    case "audience":
      return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...RESOURCES) }, { weight: 1, arbitrary: text });
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
  ...RESOURCES,
  ...ODD_NAMES,
  "client_id",
  "client_secret",
]);

/**
 * Whether a string is distinctive enough that finding it in a description means an echo: long
 * enough, not a word the generators use on purpose.
 */
export function isEchoable(text: string): boolean {
  const words = text.split(" ").filter((word) => word !== "");
  return text.length >= 8 && new Set(text).size >= 4 && !words.every((word) => VOCABULARY.has(word));
}
