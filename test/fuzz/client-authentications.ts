/**
 * Generated client authentication: right (Basic, post, public, machine), wrong (a bad secret,
 * an unknown client), broken (Basic that does not decode, other schemes) and contradictory (two
 * methods at once, a client_id that differs from Basic's).
 */
import fc from "fast-check";
import { formEncode } from "./body-encodings";
import type { Pair } from "./endpoints";
import type { FuzzFixtures } from "./fixtures";
import { headerCharacter, randomText } from "./text-arbitraries";

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
  );
}
