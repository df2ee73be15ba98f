/**
 * A registered redirect URI's own query is kept exactly as registered when Baton adds its
 * parameters (RFC 6749 §3.1.2: the query component "MUST be retained").
 */
import { describe, expect, it } from "vitest";
import { registerClient } from "../support/clients";
import { authorize, completeLogin, startAuthorization } from "../support/code-flow";

const REGISTERED = "https://app.example/cb?next=/a~b&x=%7E";

describe("redirect URIs with a query", () => {
  it("appends code, state and iss after the registered query, character for character", async () => {
    const client = await registerClient({ redirect_uris: [REGISTERED] });
    const { id } = await startAuthorization(client, { redirectUri: REGISTERED });

    const location = await completeLogin(id);

    expect(location.href.startsWith(`${REGISTERED}&code=ac_`)).toBe(true);
    expect(location.searchParams.get("next")).toBe("/a~b");
    expect(location.searchParams.get("iss")).toBe("https://baton.test");
  });

  it("keeps the registered query on error redirects too", async () => {
    const client = await registerClient({ redirect_uris: [REGISTERED] });

    const response = await authorize({
      response_type: "token",
      client_id: client.client_id,
      redirect_uri: REGISTERED,
      scope: "openid",
      state: "s-1",
    });

    expect(response.status).toBe(302);
    const location = response.headers.get("Location")!;
    expect(location.startsWith(`${REGISTERED}&error=unsupported_response_type`)).toBe(true);
    expect(new URL(location).searchParams.get("state")).toBe("s-1");
  });
});
