/**
 * A public client authenticates with its client_id alone, which anyone can read in an authorize
 * URL, so introspection tells it about its own tokens only.
 */
import { describe, expect, it } from "vitest";
import { registerClient, type TestClient } from "../support/clients";
import { startFamily } from "../support/families";
import { call } from "../support/worker";

function introspectAs(client: TestClient, token: string): Promise<Response> {
  return call("/oauth2/introspection", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_id: client.client_id, token }),
  });
}

describe("introspection by a public client", () => {
  it("answers inactive for another client's live access token", async () => {
    const spa = await registerClient({ token_endpoint_auth_method: "none" });
    const web = await registerClient();
    const family = await startFamily(web.client_id);

    const response = await introspectAs(spa, family.tokens.access_token);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ active: false });
  });

  it("describes its own live access token", async () => {
    const spa = await registerClient({ token_endpoint_auth_method: "none" });
    const family = await startFamily(spa.client_id);

    const response = await introspectAs(spa, family.tokens.access_token);

    expect(await response.json()).toMatchObject({ active: true, client_id: spa.client_id, sub: "user_alice" });
  });
});
