import type { Env as BatonEnv } from "../src/env";

declare global {
  namespace Cloudflare {
    interface Env extends BatonEnv {
      /** The algorithm of the first (signing) key of this test project. */
      TEST_SIGNING_ALG: "ES256" | "EdDSA" | "RS256";
    }
  }
}
