/**
 * A refused assertion says why in the log (to the operator, never to the client), a replay as a
 * `warn`; no assertion, `jti` or key material ever appears in a log line.
 */
import { describe, expect, it } from "vitest";
import { clientKey, postWithAssertion, registerKeyClient, signAssertion } from "../support/client-keys";
import { captureConsoleLines } from "../support/console-capture";

const consoleLines = captureConsoleLines();
const MACHINE = { grant_types: ["client_credentials"], redirect_uris: [], scope: "reports:read" };

function refusals(): Record<string, unknown>[] {
  return consoleLines()
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.message === "client assertion refused");
}

describe("refused assertions in the log", () => {
  it("logs each refusal's reason with the client, a replay as a warning, and never the assertion", async () => {
    const key = await clientKey("ES256");
    const client = await registerKeyClient(key, { ...MACHINE, jwks: { keys: [key.publicJwk] } });
    const jti = `jti-${crypto.randomUUID()}`;
    const assertion = await signAssertion(client, { jti });
    const sent = [
      assertion,
      assertion,
      await signAssertion(client, {}, {}, await clientKey("ES256", key.kid)),
      await signAssertion(client, {}, {}, await clientKey("ES256")),
      await signAssertion(client, { aud: "https://elsewhere.example" }),
      await signAssertion(client, { exp: Math.floor(Date.now() / 1000) - 3600 }),
    ];
    const statuses = [];
    for (const each of sent)
      statuses.push((await postWithAssertion(each, { grant_type: "client_credentials" })).status);

    expect(statuses).toEqual([200, 401, 401, 401, 401, 401]);
    expect(refusals()).toEqual(
      ["replayed", "signature", "unknown_key", "claims", "claims"].map((reason) => ({
        level: reason === "replayed" ? "warn" : "info",
        message: "client assertion refused",
        client_id: client.client_id,
        reason,
      })),
    );
    const everything = consoleLines().join("\n");
    for (const secret of [assertion, assertion.split(".")[2]!, jti, key.publicJwk.x!]) {
      expect(everything).not.toContain(secret);
    }
  });
});
