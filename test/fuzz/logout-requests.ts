/**
 * Generated RP-initiated logout requests: GET queries and POST bodies built from real ID tokens
 * (live, expired, mutated), the registered client and its post-logout redirect URIs, near misses
 * of both, and random text; sometimes a parameter twice, any media type, any Fetch Metadata.
 */
import fc from "fast-check";
import { registerClient, type TestClient } from "../support/clients";
import { runCodeFlow } from "../support/code-flow";
import { BASE } from "../support/worker";
import { expiredIdToken } from "../logout/logout-support";
import { MEDIA_TYPES, encodeForm, encodeJson } from "./body-encodings";
import type { Pair } from "./endpoints";
import { plainText, randomText } from "./text-arbitraries";
import { mutate, mutationArbitrary } from "./token-mutations";

/** The post-logout redirect URIs the fuzzed client registered. */
export const REGISTERED = ["https://app.example/signed-out", "https://app.example/bye?from=baton"];

/** Everything one batch of runs starts from. */
export interface LogoutFixtures {
  client: TestClient;
  /** A client that registered no post-logout redirect URI. */
  bare: TestClient;
  /** Live ID tokens, one per session (the first logout with each ends its session). */
  idTokens: string[];
  /** The same sessions' ID tokens, expired. */
  expiredIdTokens: string[];
  accessTokens: string[];
}

/** Registers the clients and signs in the sessions a batch logs out of. */
export async function prepareLogoutFixtures(): Promise<LogoutFixtures> {
  const [client, bare] = await Promise.all([
    registerClient({ post_logout_redirect_uris: REGISTERED }),
    registerClient(),
  ]);
  const sessions = await Promise.all([client, client, client, bare].map((owner) => runCodeFlow(owner)));
  return {
    client,
    bare,
    idTokens: sessions.map((session) => session.tokens.id_token!),
    expiredIdTokens: await Promise.all(
      sessions.map((session, index) => expiredIdToken(index < 3 ? client.client_id : bare.client_id, session.sid)),
    ),
    accessTokens: sessions.map((session) => session.tokens.access_token),
  };
}

/** A generated logout request, kept as data so that a failing case prints readably. */
export interface LogoutFuzzRequest {
  method: string;
  query: string;
  headers: [string, string][];
  body: string | null;
}

const NAMES = [
  "id_token_hint",
  "client_id",
  "post_logout_redirect_uri",
  "state",
  "confirm",
  "logout_hint",
  "ui_locales",
];

function valueFor(name: string, fixtures: LogoutFixtures): fc.Arbitrary<string> {
  const tokens = [...fixtures.idTokens, ...fixtures.expiredIdTokens];
  switch (name) {
    case "id_token_hint":
      return fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...tokens) },
        {
          weight: 3,
          arbitrary: fc
            .tuple(fc.constantFrom(...tokens), mutationArbitrary)
            .map(([token, mutation]) => mutate(token, mutation, tokens)),
        },
        { weight: 1, arbitrary: fc.constantFrom(...fixtures.accessTokens) },
        { weight: 1, arbitrary: randomText },
      );
    case "client_id":
      return fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(fixtures.client.client_id, fixtures.bare.client_id) },
        { weight: 1, arbitrary: fc.constantFrom("client_unknown", "__proto__", `${fixtures.client.client_id} `) },
        { weight: 1, arbitrary: randomText },
      );
    case "post_logout_redirect_uri":
      return fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...REGISTERED) },
        {
          weight: 2,
          arbitrary: fc.constantFrom(
            `${REGISTERED[0]}/`,
            "HTTPS://app.example/signed-out",
            "https://app.example:443/signed-out",
            "https://app.example/signed-out#f",
            "https://evil.example/signed-out",
            "javascript:alert(1)",
            "//evil.example/",
            "https://app.example/callback",
          ),
        },
        { weight: 1, arbitrary: randomText },
      );
    case "state":
      return fc.oneof(
        { weight: 3, arbitrary: plainText },
        { weight: 2, arbitrary: randomText },
        { weight: 1, arbitrary: fc.constantFrom(`"><script>alert(1)</script>`, "a&b=c#d", "s".repeat(2049)) },
      );
    case "confirm":
      return fc.constantFrom("yes", "no", "YES", "true");
    default:
      return randomText;
  }
}

/** Parameters a client would send: each at most once, values it could hold. */
function wellFormedPairs(fixtures: LogoutFixtures): fc.Arbitrary<Pair[]> {
  const tokens = [...fixtures.idTokens, ...fixtures.expiredIdTokens];
  return fc
    .record({
      id_token_hint: fc.option(fc.constantFrom(...tokens), { freq: 4 }),
      client_id: fc.option(fc.constantFrom(fixtures.client.client_id, fixtures.bare.client_id), { freq: 2 }),
      post_logout_redirect_uri: fc.option(fc.constantFrom(...REGISTERED), { freq: 4 }),
      state: fc.option(plainText, { freq: 3 }),
      confirm: fc.option(fc.constant("yes"), { freq: 1 }),
    })
    .map((record) =>
      Object.entries(record).flatMap(([name, value]): Pair[] => (value === null ? [] : [[name, value]])),
    );
}

/** Parameters of any kind: the endpoint's names and others, any values, sometimes one twice. */
function hostilePairs(fixtures: LogoutFixtures): fc.Arbitrary<Pair[]> {
  const known = fc.constantFrom(...NAMES).chain((name) => valueFor(name, fixtures).map((v): Pair => [name, v]));
  const other = fc.tuple(randomText, randomText);
  const pairs = fc.uniqueArray(fc.oneof({ weight: 8, arbitrary: known }, { weight: 1, arbitrary: other }), {
    selector: ([name]) => name,
    maxLength: 5,
  });
  return fc
    .tuple(pairs, fc.option(fc.nat(), { freq: 6 }))
    .map(([list, repeat]) => (repeat === null || list.length === 0 ? list : [...list, list[repeat % list.length]!]));
}

/** Requests of every kind to `/oauth2/logout`. */
export function logoutRequestArbitrary(fixtures: LogoutFixtures): fc.Arbitrary<LogoutFuzzRequest> {
  return fc
    .record({
      pairs: fc.oneof(wellFormedPairs(fixtures), hostilePairs(fixtures)),
      method: fc.oneof(
        { weight: 10, arbitrary: fc.constant("GET") },
        { weight: 10, arbitrary: fc.constant("POST") },
        { weight: 1, arbitrary: fc.constantFrom("PUT", "DELETE", "PATCH", "OPTIONS") },
      ),
      encoding: fc.constantFrom("form", "form", "form", "raw", "json"),
      mediaType: fc.oneof(
        { weight: 4, arbitrary: fc.constant("application/x-www-form-urlencoded") },
        { weight: 1, arbitrary: fc.constantFrom(...MEDIA_TYPES) },
      ),
      fetchSite: fc.option(fc.constantFrom("same-origin", "same-site", "cross-site", "none"), { freq: 2 }),
    })
    .map(({ pairs, method, encoding, mediaType, fetchSite }) => {
      const text =
        encoding === "json"
          ? encodeJson(pairs)
          : encoding === "raw"
            ? pairs.map(([n, v]) => `${n}=${v}`).join("&")
            : encodeForm(pairs);
      const headers: [string, string][] = fetchSite === null ? [] : [["Sec-Fetch-Site", fetchSite]];
      if (method === "GET") return { method, query: text === "" ? "" : `?${text}`, headers, body: null };
      return { method, query: "", headers: [...headers, ["Content-Type", mediaType]], body: text };
    });
}

/** The request as workerd will receive it. */
export function toLogoutRequest(fuzz: LogoutFuzzRequest): Request {
  return new Request(`${BASE}/oauth2/logout${fuzz.query}`, {
    method: fuzz.method,
    headers: fuzz.headers,
    body: fuzz.body,
    redirect: "manual",
  });
}

/** A failing case, readably. */
export function describeLogoutRequest(fuzz: LogoutFuzzRequest): string {
  return JSON.stringify(fuzz, (_key, value) =>
    typeof value === "string" && value.length > 200 ? `${value.slice(0, 200)}…` : value,
  );
}
