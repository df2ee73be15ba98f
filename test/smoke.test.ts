import { describe, expect, it } from "vitest";
import { registerClient } from "./support/clients";
import { startFamily } from "./support/families";
import { refresh } from "./support/token-requests";

describe("smoke", () => {
  it("rotates a refresh token", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const response = await refresh(client, family.tokens.refresh_token);
    const body = await response.json<Record<string, unknown>>();
    expect(response.status, JSON.stringify(body)).toBe(200);
    expect(body.refresh_token).not.toBe(family.tokens.refresh_token);
  });
});
