/**
 * Generated client authentication: right (Basic, post, public, machine, a fresh assertion), wrong
 * (a bad secret, an unknown client, a spent, forged or near-valid assertion), broken (Basic that
 * does not decode, other schemes, assertions that are no JWT, odd assertion types) and
 * contradictory (two methods at once, a client_id that differs from Basic's or the assertion's).
 */
import fc from "fast-check";
import { JWT_BEARER } from "../support/client-keys";
import { formEncode } from "./body-encodings";
import type { Pair } from "./endpoints";
import type { FuzzFixtures } from "./fixtures";
import { headerCharacter, randomText } from "./text-arbitraries";
import { mutate, mutationArbitrary } from "./token-mutations";

/** How the request authenticates its client: headers and body parameters. */
export interface Authentication {
  label: string;
  headers: [string, string][];
  params: Pair[];
  echoable: string[];
}

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

/** Client authentication, right and wrong. Only `victim` and unknown ids ever fail. */
export function authenticationArbitrary(fixtures: FuzzFixtures): fc.Arbitrary<Authentication> {
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
    { weight: 6, arbitrary: assertionArbitrary(fixtures) },
  );
}

const ASSERTION_TYPES = [
  "urn:ietf:params:oauth:client-assertion-type:saml2-bearer",
  JWT_BEARER.toUpperCase(),
  `${JWT_BEARER} `,
  "urn:ietf:params:oauth:grant-type:jwt-bearer",
  "jwt-bearer",
];

/** `private_key_jwt`: the signer's assertions, right, spent, wrong and broken, alone or not. */
function assertionArbitrary(fixtures: FuzzFixtures): fc.Arbitrary<Authentication> {
  const { web, signer, assertions } = fixtures;
  const all = [...assertions.fresh, ...assertions.wrong];
  const present = (
    label: string,
    assertion: string,
    extra: Pair[] = [],
    headers: [string, string][] = [],
  ): Authentication => ({
    label,
    headers,
    params: [["client_assertion_type", JWT_BEARER], ["client_assertion", assertion], ...extra] as Pair[],
    echoable: [assertion, ...extra.map(([, value]) => value)],
  });
  const fresh = fc.nat().map((i) => assertions.fresh[i % assertions.fresh.length]!);
  const wrong = fc.constantFrom(...assertions.wrong);
  const mutated = fc
    .tuple(fc.constantFrom(...all), mutationArbitrary)
    .map(([assertion, mutation]) => mutate(assertion, mutation, all));
  const broken = fc.oneof(
    randomText,
    fc.string({ unit: fc.constantFrom("e", "y", "J", ".", "A", "-", "_"), minLength: 3, maxLength: 60 }),
    fc.constantFrom("a.b.c", "a.b.c.d.e", "..", "eyJhbGciOiJub25lIn0.e30.", "eyJ9.eyJ9.eyJ9"),
  );
  return fc.oneof(
    // Spent after the first use: later draws of the same one are replays.
    { weight: 4, arbitrary: fresh.map((a) => present("assertion", a)) },
    {
      weight: 1,
      arbitrary: fresh.map((a) => present("assertion with client_id", a, [["client_id", signer.client_id]])),
    },
    { weight: 2, arbitrary: wrong.map((a) => present("wrong assertion", a)) },
    { weight: 3, arbitrary: mutated.map((a) => present("near-valid assertion", a)) },
    { weight: 2, arbitrary: broken.map((a) => present("broken assertion", a)) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fresh, fc.oneof(fc.constantFrom(...ASSERTION_TYPES), randomText))
        .map(([a, type]): Authentication => ({
          label: "odd assertion type",
          headers: [],
          params: [
            ["client_assertion_type", type],
            ["client_assertion", a],
          ] as Pair[],
          echoable: [a, type],
        })),
    },
    {
      weight: 1,
      arbitrary: fresh.map((a): Authentication => ({
        label: "assertion without type",
        headers: [],
        params: [["client_assertion", a]] as Pair[],
        echoable: [a],
      })),
    },
    {
      weight: 1,
      arbitrary: fc.constant<Authentication>({
        label: "type without assertion",
        headers: [],
        params: [
          ["client_assertion_type", JWT_BEARER],
          ["client_id", signer.client_id],
        ] as Pair[],
        echoable: [],
      }),
    },
    {
      weight: 1,
      arbitrary: fresh.map((a) =>
        present(
          "assertion and Basic",
          a,
          [],
          [["Authorization", `Basic ${btoa(`${web.client_id}:${web.client_secret}`)}`]],
        ),
      ),
    },
    {
      weight: 1,
      arbitrary: fresh.map((a) => present("assertion and secret", a, [["client_secret", web.client_secret!]])),
    },
    {
      weight: 1,
      arbitrary: fresh.map((a) => present("assertion client_id mismatch", a, [["client_id", web.client_id]])),
    },
  );
}
