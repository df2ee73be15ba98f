// `baton keys ...`: signing keys for SIGNING_KEYS, and each step of rotating them. Works on a
// private JWK Set in a file or on standard input and prints the next set; never talks to a
// server. `npm run keys` and `npm run rotate-keys` are this group under their older names.
import { KeySetInputError, readKeySet } from "../key-set-input.mjs";
import { SUPPORTED_ALGORITHMS, generateSigningKey } from "../signing-keys.mjs";
import { usage } from "./errors.mjs";
import { cell, table } from "./render.mjs";

const FILE_FLAG = { "--file": { value: "FILE", help: "the current private JWK Set (default: standard input)" } };

function checkAlgorithm(algorithm) {
  if (!SUPPORTED_ALGORITHMS.includes(algorithm))
    usage(`unsupported algorithm ${algorithm}; use one of ${SUPPORTED_ALGORITHMS.join(", ")}`);
  return algorithm;
}

function read(flags) {
  try {
    return readKeySet(flags["--file"]);
  } catch (error) {
    if (error instanceof KeySetInputError) usage(error.message);
    throw error;
  }
}

function indexOf(set, kid) {
  const at = set.keys.findIndex((key) => key.kid === kid);
  if (at < 0) usage("no key has that kid");
  return at;
}

/** The set with a new key of `algorithm` (default: the signing key's) published last, not signing. */
export async function addKey(set, algorithm) {
  const key = await generateSigningKey(checkAlgorithm(algorithm ?? set.keys[0].alg ?? "ES256"));
  return { ...set, keys: [...set.keys, key] };
}

/** The set with the key `kid` first, so that it signs. */
export function promoteKey(set, kid) {
  const at = indexOf(set, kid);
  return { ...set, keys: [set.keys[at], ...set.keys.filter((_, i) => i !== at)] };
}

/** The set without the key `kid`, which must not be the signing key. */
export function retireKey(set, kid) {
  const at = indexOf(set, kid);
  if (at === 0) usage("that key signs; promote another key first");
  return { ...set, keys: set.keys.filter((_, i) => i !== at) };
}

/** Each key's kid, alg and role, never its private part. */
export function keyRoles(set) {
  return set.keys.map((key, i) => ({
    kid: key.kid,
    alg: key.alg,
    role: i === 0 ? "signing, published" : "published",
  }));
}

const printSet = (set) => JSON.stringify(set);

/** @type {import("./main.mjs").Group} */
export const keys = {
  name: "keys",
  summary: "generate signing keys and rotate them, on a JWK Set file",
  commands: [
    {
      name: "generate",
      operands: ["[ALG...]"],
      summary: `a fresh private JWK Set, one key per ALG (${SUPPORTED_ALGORITHMS.join(", ")}; ES256 then RS256 when none), the first signing`,
      local: true,
      async run({ operands }) {
        // By default ES256 signs and RS256 is published beside it: OpenID Connect Discovery §3
        // expects RS256 among the ID token algorithms, and some clients accept nothing else.
        const algorithms = (operands.length > 0 ? operands : ["ES256", "RS256"]).map(checkAlgorithm);
        const generated = [];
        for (const algorithm of algorithms) generated.push(await generateSigningKey(algorithm));
        return printSet({ keys: generated });
      },
    },
    {
      name: "add",
      operands: ["[ALG]"],
      summary: "the set with a new key published after the others, not signing yet",
      flags: FILE_FLAG,
      local: true,
      async run({ operands: [algorithm], flags }) {
        // Checked before reading, so that a typo is reported even while the input is wrong too.
        if (algorithm !== undefined) checkAlgorithm(algorithm);
        return printSet(await addKey(read(flags), algorithm));
      },
    },
    {
      name: "promote",
      operands: ["KID"],
      summary: "the set with KID first: it signs from then on",
      flags: FILE_FLAG,
      local: true,
      async run({ operands: [kid], flags }) {
        return printSet(promoteKey(read(flags), kid));
      },
    },
    {
      name: "retire",
      operands: ["KID"],
      summary: "the set without KID: no longer published (never the signing key)",
      flags: FILE_FLAG,
      local: true,
      async run({ operands: [kid], flags }) {
        return printSet(retireKey(read(flags), kid));
      },
    },
    {
      name: "list",
      summary: "each key's kid, algorithm and role",
      flags: { ...FILE_FLAG, "--json": { help: "the same as JSON" } },
      local: true,
      async run({ flags }) {
        const roles = keyRoles(read(flags));
        if (flags["--json"]) return JSON.stringify({ keys: roles });
        return table(
          [
            { title: "KID", value: (key) => cell(key.kid) },
            { title: "ALG", value: (key) => cell(key.alg) },
            { title: "ROLE", value: (key) => key.role },
          ],
          roles,
        );
      },
    },
  ],
};
