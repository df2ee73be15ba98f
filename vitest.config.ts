import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { configDefaults, defineConfig } from "vitest/config";
import { exportJWK, generateKeyPair } from "jose";

type Algorithm = "ES256" | "EdDSA" | "RS256";

// Fresh keys for every run: the suite never depends on key material checked into the tree.
async function privateJwk(alg: Algorithm) {
  const options = alg === "EdDSA" ? { crv: "Ed25519" } : alg === "RS256" ? { modulusLength: 2048 } : {};
  const { privateKey } = await generateKeyPair(alg, { ...options, extractable: true });
  return { ...(await exportJWK(privateKey)), kid: `test-${alg.toLowerCase()}`, alg };
}

const keys = {
  ES256: await privateJwk("ES256"),
  EdDSA: await privateJwk("EdDSA"),
  RS256: await privateJwk("RS256"),
};

// Two server secrets, as after a rotation: the first makes everything new, both are accepted.
const tokenSecrets = [randomSecret(), randomSecret()].join(" ");

function randomSecret(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
}

// The tests that read the Worker's log lines; the rest run with LOG_LEVEL=error, so that a run
// prints only what went wrong.
const LOG_TESTS = [
  "test/grant/logs.test.ts",
  "test/operations/request-logs.test.ts",
  "test/operations/assertion-logs.test.ts",
  "test/logout/back-channel-delivery.test.ts",
  "test/registration/registry-failure-logs.test.ts",
  "test/fuzz/**/*.test.ts",
];

// The tests that need a runtime of their own: the metered ones count every storage and binding
// call while they measure, which another file's alarm firing then would add to, and one lists
// every client page by page from an emptied store.
const OWN_RUNTIME_TESTS = [
  "test/operations/operation-costs.test.ts",
  "test/operations/login-costs.test.ts",
  "test/operations/registration-costs.test.ts",
  "test/device/device-authorization-limit.test.ts",
  "test/admin/client-list-update.test.ts",
];

/** A workerd project whose first (signing) key is `first`, with the other two published too. */
function project(
  name: string,
  first: Algorithm,
  include: string[],
  exclude: string[] = [],
  logLevel = "error",
  isolate = false,
) {
  const order = [first, ...(Object.keys(keys) as Algorithm[]).filter((alg) => alg !== first)];
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            // Every setting is pinned here so that a developer's .dev.vars (which wrangler
            // would otherwise load) cannot make a local run differ from CI's.
            LOGIN_URL: "",
            LOGOUT_URL: "",
            DEV_LOGIN: "false",
            ACCESS_TOKEN_TTL: "",
            ID_TOKEN_TTL: "",
            REFRESH_IDLE_TTL: "",
            REFRESH_ABSOLUTE_TTL: "",
            REFRESH_RETRY_WINDOW: "",
            GRANTS_JURISDICTION: "",
            ISSUER: "https://baton.test",
            ADMIN_TOKEN: "test-admin-token-0123456789abcdef",
            TOKEN_SECRETS: tokenSecrets,
            LOG_LEVEL: logLevel,
            SIGNING_KEYS: JSON.stringify({ keys: order.map((alg) => keys[alg]) }),
            TEST_SIGNING_ALG: first,
            // Test clients' jwks_uri are served on 127.0.0.1.
            CLIENT_METADATA_ALLOW_LOOPBACK: "true",
          },
        },
      }),
    ],
    test: {
      name,
      include,
      exclude: [...configDefaults.exclude, ...exclude],
      // One runtime for a worker's files, not one per file: a runtime's start was about two thirds
      // of the suite's time. Tests never rely on an empty store (see test/support/file-hygiene.ts),
      // but for OWN_RUNTIME_TESTS.
      isolate,
      setupFiles: ["test/support/file-hygiene.ts"],
      // Real HTTP servers on 127.0.0.1 (see each file): behind test clients' jwks_uri, serving
      // Client ID Metadata Documents, and a client's back-channel logout endpoint (tests read
      // their origins with inject()).
      globalSetup: [
        "test/support/jwks-server-setup.mjs",
        "test/support/document-server.mjs",
        "test/support/logout-receiver.mjs",
      ],
    },
  };
}

export default defineConfig({
  test: {
    projects: [
      project("baton", "ES256", ["test/**/*.test.ts"], [...LOG_TESTS, ...OWN_RUNTIME_TESTS, "test/scripts/**"]),
      project("baton-own-runtime", "ES256", OWN_RUNTIME_TESTS, [], "error", true),
      // Their files read every log line the runtime writes: none may come from another file.
      project("logs", "ES256", LOG_TESTS, [], "debug", true),
      // test/scripts exercises the Node scripts (dev setup, key rotation, demo), so it runs in
      // Node, where they run, not in workerd.
      project("keys-eddsa", "EdDSA", ["test/key-types/**/*.test.ts"]),
      project("keys-rs256", "RS256", ["test/key-types/**/*.test.ts"]),
      { test: { name: "scripts", include: ["test/scripts/**/*.test.mjs"], environment: "node" } },
    ],
  },
});
