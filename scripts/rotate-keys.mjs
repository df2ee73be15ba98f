#!/usr/bin/env node
// Helps rotate signing keys. Reads the current private JWK Set (SIGNING_KEYS) from a file or
// standard input and prints the next one:
//   npm run -s rotate-keys -- add [ALG] --file keys.json > next.json     publish a new key (not signing yet)
//   npm run -s rotate-keys -- promote KID --file keys.json > next.json   make KID the signing key (first)
//   npm run -s rotate-keys -- retire KID --file keys.json > next.json    stop publishing KID (never the signing key)
//   npm run -s rotate-keys -- list --file keys.json                      show kid, alg and role of each key
// Without --file the set is read from standard input (`... add ES256 < keys.json`).
// Every mistake is one line on standard error and exit code 2.
import { KeySetInputError, readKeySet } from "./key-set-input.mjs";
import { SUPPORTED_ALGORITHMS, generateSigningKey } from "./signing-keys.mjs";

const USAGE = `usage: rotate-keys add [${SUPPORTED_ALGORITHMS.join("|")}] | promote KID | retire KID | list  (--file keys.json, or the JWK Set on stdin)`;

function fail(message) {
  console.error(`rotate-keys: ${message}`);
  process.exit(2);
}

function checkAlgorithm(algorithm) {
  if (!SUPPORTED_ALGORITHMS.includes(algorithm))
    fail(`unsupported algorithm ${algorithm}; use one of ${SUPPORTED_ALGORITHMS.join(", ")}`);
}

const args = process.argv.slice(2);
const fileFlag = args.indexOf("--file");
const file = fileFlag >= 0 ? args.splice(fileFlag, 2)[1] : undefined;
if (fileFlag >= 0 && (file === undefined || file.startsWith("-"))) fail("--file needs a path");
const [command, argument, ...extra] = args;
if (!["add", "promote", "retire", "list"].includes(command)) fail(USAGE);
if ((command === "promote" || command === "retire") && argument === undefined) fail(`${command} needs a KID; ${USAGE}`);
const extraArgument = command === "list" ? argument : extra[0];
if (extraArgument !== undefined) fail(`unexpected argument ${extraArgument}; ${USAGE}`);
// Checked before reading, so that a typo is reported even while the input is wrong too.
if (command === "add" && argument !== undefined) checkAlgorithm(argument);

let set;
try {
  set = readKeySet(file);
} catch (error) {
  if (!(error instanceof KeySetInputError)) throw error;
  fail(error.message);
}
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
  case "add": {
    const algorithm = argument ?? set.keys[0].alg ?? "ES256";
    checkAlgorithm(algorithm);
    set.keys.push(await generateSigningKey(algorithm));
    break;
  }
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
