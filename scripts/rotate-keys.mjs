#!/usr/bin/env node
// Helps rotate signing keys. Reads the current private JWK Set (SIGNING_KEYS) from a file or
// standard input and prints the next one:
//   npm run rotate-keys -- add [ALG] < keys.json     publish a new key (not signing yet)
//   npm run rotate-keys -- promote KID < keys.json   make KID the signing key (first)
//   npm run rotate-keys -- retire KID < keys.json    stop publishing KID (never the signing key)
//   npm run rotate-keys -- list < keys.json          show kid, alg and role of each key
// The input may also be given as a path: `npm run rotate-keys -- add ES256 --file keys.json`.
import { readFileSync } from "node:fs";
import { SUPPORTED_ALGORITHMS, generateSigningKey } from "./signing-keys.mjs";

function fail(message) {
  console.error(`rotate-keys: ${message}`);
  process.exit(2);
}

const args = process.argv.slice(2);
const fileFlag = args.indexOf("--file");
const file = fileFlag >= 0 ? args.splice(fileFlag, 2)[1] : undefined;
const [command, argument] = args;
if (!["add", "promote", "retire", "list"].includes(command)) {
  fail(
    `usage: rotate-keys add [${SUPPORTED_ALGORITHMS.join("|")}] | promote KID | retire KID | list  (JWK Set on stdin or --file)`,
  );
}

let set;
try {
  set = JSON.parse(readFileSync(file ?? 0, "utf8"));
} catch {
  fail("the input is not a JSON JWK Set");
}
if (!Array.isArray(set?.keys) || set.keys.length === 0) fail('the input must be {"keys": [...]} with at least one key');
const index = (kid) => {
  const at = set.keys.findIndex((key) => key.kid === kid);
  if (at < 0) fail("no key has that kid");
  return at;
};

switch (command) {
  case "list":
    set.keys.forEach((key, i) =>
      console.log(`${key.kid}\t${key.alg ?? "?"}\t${i === 0 ? "signing, published" : "published"}`),
    );
    process.exit(0);
  case "add":
    set.keys.push(await generateSigningKey(argument ?? set.keys[0].alg ?? "ES256"));
    break;
  case "promote": {
    const [key] = set.keys.splice(index(argument), 1);
    set.keys.unshift(key);
    break;
  }
  case "retire":
    if (index(argument) === 0) fail("that key signs; promote another key first");
    set.keys.splice(index(argument), 1);
    break;
}
process.stdout.write(`${JSON.stringify(set)}\n`);
