import type { Env as BatonEnv } from "../src/env";

declare global {
  namespace Cloudflare {
    // The bindings come from the generated src/worker-configuration.d.ts (where every limiter is
    // bound); Baton's Env adds the settings, and the test project one of its own.
    interface Env extends Omit<BatonEnv, keyof WranglerEnv> {
      /** The algorithm of the first (signing) key of this test project. */
      TEST_SIGNING_ALG: "ES256" | "EdDSA" | "RS256";
    }
  }
}
