/**
 * A native app's loopback redirect URI matches on any port (RFC 8252 §7.3): desktop MCP clients
 * listen on whatever port the system hands them. Everything else still matches exactly.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { registerClient, type TestClient } from "../support/clients";
import { authorizationQuery, authorize, completeLogin, expectLoginHandOff, redeem } from "../support/code-flow";
import { expectInvalidGrant } from "../support/assertions";
import { expectTokens } from "../http/support-token-endpoint";

let client: TestClient;

beforeAll(async () => {
  client = await registerClient({
    token_endpoint_auth_method: "none",
    redirect_uris: [
      "http://127.0.0.1/callback",
      "http://[::1]:8080/cb?app=1",
      "http://localhost/cb",
      "https://app.example/cb",
      // Registration reads the scheme and host without case (RFC 3986 §6.2.2.1), and so does matching.
      "HTTP://LOCALHOST/upper",
    ],
  });
});

function ask(redirectUri: string) {
  return authorizationQuery(client, { redirectUri });
}

describe("loopback redirect URIs", () => {
  it.each([
    "http://127.0.0.1/callback",
    "http://127.0.0.1:53211/callback",
    "http://127.0.0.1:1/callback",
    "http://[::1]:9999/cb?app=1",
    "http://[::1]/cb?app=1",
    "http://localhost:3000/cb",
    "http://localhost:3000/upper",
    "HTTP://LocalHost:3000/upper",
    "http://LOCALHOST:65535/cb",
  ])("accepts %s on any port", async (redirectUri) => {
    const { query } = await ask(redirectUri);
    expectLoginHandOff(await authorize(query));
  });

  it.each([
    ["another path", "http://127.0.0.1:53211/other"],
    ["another query", "http://[::1]:9999/cb?app=2"],
    ["https in place of http", "https://127.0.0.1:53211/callback"],
    ["another loopback host than registered", "http://localhost:53211/callback"],
    ["a public host with another port", "https://app.example:8443/cb"],
    ["a host that only starts like a loopback one", "http://127.0.0.1.evil.example:80/callback"],
    ["a port in the path", "http://127.0.0.1/:8080/callback"],
    // Not a URI a code can be sent to (RFC 6749 §3.1.2): no socket has these ports.
    ["port 99999", "http://127.0.0.1:99999/callback"],
    ["port 65536", "http://127.0.0.1:65536/callback"],
    ["port 0", "http://127.0.0.1:0/callback"],
    ["a path whose case differs", "http://localhost:3000/UPPER"],
  ])("refuses %s: the 400 page, no redirect", async (_label, redirectUri) => {
    const { query } = await ask(redirectUri);
    const response = await authorize(query);
    expect(response.status).toBe(400);
    expect(response.headers.get("Location")).toBeNull();
  });

  it("redeems the code with the very redirect URI of the request, port included, and no other", async () => {
    const { query, codeVerifier } = await ask("http://127.0.0.1:50505/callback");
    const redirect = await completeLogin(expectLoginHandOff(await authorize(query)));
    const issued = {
      code: redirect.searchParams.get("code")!,
      codeVerifier,
      redirectUri: "http://127.0.0.1:50506/callback",
    };
    expect(redirect.origin).toBe("http://127.0.0.1:50505");

    await expectInvalidGrant(await redeem(client, issued, "none"));
    await expectTokens(await redeem(client, { ...issued, redirectUri: "http://127.0.0.1:50505/callback" }, "none"));
  });
});
