#!/usr/bin/env node
// Prints a fresh private JWK Set, ready for `wrangler secret put SIGNING_KEYS`.
//   npm run keys                 one ES256 key
//   npm run keys -- EdDSA RS256  one key of each algorithm named, the first signs
import { SUPPORTED_ALGORITHMS, generateSigningKey } from "./signing-keys.mjs";

const algorithms = process.argv.slice(2);
if (algorithms.some((a) => a === "-h" || a === "--help")) {
  console.log(`usage: npm run keys [-- ALG ...]   (ALG: ${SUPPORTED_ALGORITHMS.join(", ")}; default ES256)`);
  process.exit(0);
}
try {
  const keys = [];
  for (const algorithm of algorithms.length > 0 ? algorithms : ["ES256"])
    keys.push(await generateSigningKey(algorithm));
  process.stdout.write(`${JSON.stringify({ keys })}\n`);
} catch (error) {
  console.error(`keys: ${error.message}`);
  process.exit(2);
}
