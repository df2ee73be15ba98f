/**
 * Rule 1 of the refresh_token grant: every success rotates the token, and the answer is an
 * RFC 6749 §5.1 token response that no cache keeps.
 */
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { registerClient } from "../support/clients";
import { readFamily, startFamily } from "../support/families";
import { call } from "../support/worker";
import { refresh } from "../support/token-requests";

const REFRESH_TOKEN_SHAPE = /^rt_[A-Za-z0-9_-]{91}$/;

function expectTokenResponseHeaders(response: Response) {
  expect(response.status).toBe(200);
  expect(response.headers.get("Content-Type")).toBe("application/json");
  expect(response.headers.get("Cache-Control")).toBe("no-store");
  expect(response.headers.get("Pragma")).toBe("no-cache");
}

describe("refresh_token grant: rotation", () => {
  it("answers with a complete token response that no cache keeps", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);

    const response = await refresh(client, family.tokens.refresh_token);

    expectTokenResponseHeaders(response);
    const body = await response.json<Record<string, unknown>>();
    expect(Object.keys(body).sort()).toEqual(
      ["access_token", "expires_in", "id_token", "refresh_token", "scope", "token_type"].sort(),
    );
    expect(body.token_type).toBe("bearer");
    expect(body.scope).toBe("openid profile email offline_access");
    const access = decodeJwt(body.access_token as string);
    expect(body.expires_in).toBe(300);
    expect(access.exp! - access.iat!).toBe(body.expires_in);
  });

  it("returns a new refresh token of the Baton shape in place of the presented one", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);

    const body = await (await refresh(client, family.tokens.refresh_token)).json<{ refresh_token: string }>();

    expect(family.tokens.refresh_token).toMatch(REFRESH_TOKEN_SHAPE);
    expect(body.refresh_token).toMatch(REFRESH_TOKEN_SHAPE);
    expect(body.refresh_token).not.toBe(family.tokens.refresh_token);
  });

  it("retires the presented token by moving the family to the next generation", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const before = await readFamily(family.sid);

    expect((await refresh(client, family.tokens.refresh_token)).status).toBe(200);

    const after = await readFamily(family.sid);
    expect(before!.generation).toBe(0);
    expect(after!.generation).toBe(1);
    expect(after!.retained!.generation).toBe(0);
    expect(after!.lastUsedAt).toBeGreaterThanOrEqual(before!.lastUsedAt);
    // Rotation never extends the family's absolute lifetime.
    expect(after!.createdAt).toBe(before!.createdAt);
  });

  it("keeps rotating: each new token refreshes once more, and no token repeats", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const seen = [family.tokens.refresh_token];

    for (let round = 0; round < 5; round++) {
      const response = await refresh(client, seen.at(-1)!);
      expect(response.status).toBe(200);
      seen.push((await response.json<{ refresh_token: string }>()).refresh_token);
    }

    expect(new Set(seen).size).toBe(6);
    expect((await readFamily(family.sid))!.generation).toBe(5);
  });

  it("rotates for a confidential client that authenticates in the body (client_secret_post)", async () => {
    const client = await registerClient({ token_endpoint_auth_method: "client_secret_post" });
    const family = await startFamily(client.client_id);

    const response = await refresh(client, family.tokens.refresh_token, {}, "post");

    expectTokenResponseHeaders(response);
    expect((await response.json<{ refresh_token: string }>()).refresh_token).toMatch(REFRESH_TOKEN_SHAPE);
  });

  it("rotates for a public client identified by its client_id alone", async () => {
    const client = await registerClient({ token_endpoint_auth_method: "none" });
    const family = await startFamily(client.client_id);

    const response = await refresh(client, family.tokens.refresh_token, {}, "none");

    expectTokenResponseHeaders(response);
    const body = await response.json<{ refresh_token: string }>();
    expect(body.refresh_token).not.toBe(family.tokens.refresh_token);
    expect((await readFamily(family.sid))!.generation).toBe(1);
  });

  it("rotates when the request is JSON, as WorkOS clients send it", async () => {
    const client = await registerClient({ token_endpoint_auth_method: "client_secret_post" });
    const family = await startFamily(client.client_id);

    const response = await call("/oauth2/token", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        grant_type: "refresh_token",
        refresh_token: family.tokens.refresh_token,
        client_id: client.client_id,
        client_secret: client.client_secret,
      }),
    });

    expectTokenResponseHeaders(response);
    expect((await response.json<{ refresh_token: string }>()).refresh_token).toMatch(REFRESH_TOKEN_SHAPE);
  });

  it("issues no refresh token at all when the grant lacks offline_access", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id, { scope: "openid profile" });

    expect(family.tokens).not.toHaveProperty("refresh_token");
    expect((await readFamily(family.sid))!.familyKey).toBeUndefined();
  });
});
