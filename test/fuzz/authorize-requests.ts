/**
 * Generated authorization requests (GET /oauth2/authorize): queries built from a registered
 * confidential and a public client, their redirect URIs and near misses of them, every parameter
 * Baton reads (`prompt`, `resource`, `max_age`, the login hints, PKCE, `dpop_jkt` among them) with
 * valid, nearly valid and random values, and sometimes a parameter twice.
 */
import fc from "fast-check";
import { registerClient, type TestClient } from "../support/clients";
import { authorizationQuery } from "../support/code-flow";
import type { Pair } from "./endpoints";
import { plainText, randomText } from "./text-arbitraries";

/** The redirect URIs the fuzzed clients registered (a loopback one matches on any port). */
export const REGISTERED = ["https://app.example/callback", "http://127.0.0.1/cb"];

/** What one batch of runs starts from: the clients, and a valid query for each. */
export interface AuthorizeFixtures {
  clients: TestClient[];
  valid: Record<string, string>[];
}

export async function prepareAuthorizeFixtures(): Promise<AuthorizeFixtures> {
  const clients = await Promise.all([
    registerClient({ redirect_uris: REGISTERED }),
    registerClient({ redirect_uris: REGISTERED, token_endpoint_auth_method: "none" }),
  ]);
  const valid = await Promise.all(clients.map(async (client) => (await authorizationQuery(client)).query));
  return { clients, valid };
}

const NAMES = [
  "response_type",
  "client_id",
  "redirect_uri",
  "scope",
  "state",
  "nonce",
  "code_challenge",
  "code_challenge_method",
  "prompt",
  "resource",
  "max_age",
  "login_hint",
  "acr_values",
  "ui_locales",
  "dpop_jkt",
  "response_mode",
];

const VALUES: Record<string, string[]> = {
  response_type: ["code", "token", "code id_token", "CODE"],
  redirect_uri: [
    "http://127.0.0.1:49152/cb",
    "http://127.0.0.1:99999/cb",
    "http://127.0.0.1:0/cb",
    "HTTP://LOCALHOST:5000/cb",
    "HTTP://127.0.0.1:5000/cb",
    "http://localhost/cb",
    "https://app.example/callback/",
    "https://app.example/callback?x=1",
    "https://evil.example/callback",
    "javascript:alert(1)",
  ],
  scope: ["openid", "openid email offline_access", "admin", "openid  openid", ""],
  code_challenge_method: ["S256", "plain", "s256"],
  prompt: ["none", "login", "consent select_account", "create", "none login", "LOGIN", "login\u0000", "x".repeat(600)],
  resource: [
    "https://mcp.example.com/mcp",
    "http://localhost:3000/mcp",
    "https://mcp.example.com\\x/mcp",
    "https:mcp.example.com",
    "https://mcp.example.com/mcp#f",
    "urn:example",
  ],
  max_age: ["0", "60", "-1", "1e3", "99999999999999999999"],
  dpop_jkt: ["0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I", "short", ""],
  response_mode: ["query", "fragment", "form_post"],
};

function valueFor(name: string, fixtures: AuthorizeFixtures): fc.Arbitrary<string> {
  const known = name === "client_id" ? fixtures.clients.map((client) => client.client_id) : VALUES[name];
  const valid = fixtures.valid.map((query) => query[name]).filter((value): value is string => value !== undefined);
  return fc.oneof(
    { weight: 3, arbitrary: valid.length > 0 ? fc.constantFrom(...valid) : plainText },
    { weight: 2, arbitrary: known !== undefined && known.length > 0 ? fc.constantFrom(...known) : plainText },
    { weight: 1, arbitrary: randomText },
  );
}

/** A valid query of one client with some of its parameters replaced, added or dropped. */
function nearValidPairs(fixtures: AuthorizeFixtures): fc.Arbitrary<Pair[]> {
  const change = fc
    .constantFrom(...NAMES)
    .chain((name) =>
      fc.option(valueFor(name, fixtures), { freq: 5 }).map((value): [string, string | null] => [name, value]),
    );
  return fc.tuple(fc.constantFrom(...fixtures.valid), fc.array(change, { maxLength: 3 })).map(([query, changes]) => {
    const params = new Map(Object.entries(query));
    for (const [name, value] of changes) {
      if (value === null) params.delete(name);
      else params.set(name, value);
    }
    return [...params.entries()];
  });
}

/** Parameters of any kind: the endpoint's names and others, any values, sometimes one twice. */
function hostilePairs(fixtures: AuthorizeFixtures): fc.Arbitrary<Pair[]> {
  const known = fc.constantFrom(...NAMES).chain((name) => valueFor(name, fixtures).map((v): Pair => [name, v]));
  const pairs = fc.uniqueArray(
    fc.oneof({ weight: 8, arbitrary: known }, { weight: 1, arbitrary: fc.tuple(randomText, randomText) }),
    {
      selector: ([name]) => name,
      maxLength: 8,
    },
  );
  return fc
    .tuple(pairs, fc.option(fc.nat(), { freq: 6 }))
    .map(([list, repeat]) => (repeat === null || list.length === 0 ? list : [...list, list[repeat % list.length]!]));
}

/** Queries of every kind for `/oauth2/authorize`, `?` included. */
export function authorizeQueryArbitrary(fixtures: AuthorizeFixtures): fc.Arbitrary<string> {
  return fc
    .oneof({ weight: 3, arbitrary: nearValidPairs(fixtures) }, { weight: 1, arbitrary: hostilePairs(fixtures) })
    .map((pairs) => `?${new URLSearchParams(pairs)}`);
}
