// Generates a private JWK Set for SIGNING_KEYS (shared by `baton keys`, `npm run dev` and the
// isolated dev servers of the checks).
import { randomBytes } from "node:crypto";

const ALGORITHMS = {
  ES256: { alg: "ES256", options: {} },
  EdDSA: { alg: "EdDSA", options: { crv: "Ed25519" } },
  RS256: { alg: "RS256", options: { modulusLength: 2048 } },
};

/** The algorithms a key can be generated for. */
export const SUPPORTED_ALGORITHMS = Object.keys(ALGORITHMS);

/** A fresh private JWK with `kid`, `alg` and `use`. */
export async function generateSigningKey(algorithm = "ES256") {
  const spec = ALGORITHMS[algorithm];
  if (spec === undefined)
    throw new Error(`unsupported algorithm ${algorithm}; use one of ${SUPPORTED_ALGORITHMS.join(", ")}`);
  // Loaded here, not on import: the `baton` commands that never make a key start without it.
  const { exportJWK, generateKeyPair } = await import("jose");
  const { privateKey } = await generateKeyPair(spec.alg, { ...spec.options, extractable: true });
  const jwk = await exportJWK(privateKey);
  const date = new Date().toISOString().slice(0, 10);
  return { ...jwk, kid: `${date}-${randomBytes(4).toString("hex")}`, alg: spec.alg, use: "sig" };
}
