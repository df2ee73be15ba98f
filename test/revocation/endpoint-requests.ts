/**
 * Requests to the revocation, introspection and userinfo endpoints as clients and resource
 * servers send them, and the checks every one of their answers must pass.
 */
import { expect } from "vitest";
import type { TestClient } from "../support/clients";
import { basicAuth, refresh, type AuthStyle } from "../support/token-requests";
import { call } from "../support/worker";

/** The answer for any token that is not live, and nothing more (RFC 7662 §2.2). */
export const INACTIVE = { active: false };

/** The token endpoint's answer to a dead, unknown or foreign refresh token. */
export const INVALID_GRANT = {
  error: "invalid_grant",
  error_description: "The grant is invalid, expired, revoked, or was issued to another client.",
};

/** A token of the shape of a Baton refresh token (`rt_` + 68 bytes) whose MAC no family made. */
export function forgedRefreshToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(68));
  return (
    "rt_" +
    btoa(String.fromCharCode(...bytes))
      .replace(/\+/g, "-")
      .replace(/\//g, "_")
      .replace(/=+$/, "")
  );
}

/** POSTs `params` to `path` as a form, authenticating `client` the given way. */
export function clientPost(
  path: string,
  client: TestClient,
  params: Record<string, string>,
  style: AuthStyle = client.client_secret === undefined ? "none" : "basic",
): Promise<Response> {
  const body = new URLSearchParams(params);
  const headers: Record<string, string> = { "Content-Type": "application/x-www-form-urlencoded" };
  if (style === "basic") headers.Authorization = basicAuth(client.client_id, client.client_secret!);
  else {
    body.set("client_id", client.client_id);
    if (style === "post") body.set("client_secret", client.client_secret!);
  }
  return call(path, { method: "POST", headers, body });
}

/** `POST /oauth2/revoke` for `token`, with any extra parameters (`token_type_hint`). */
export function revoke(client: TestClient, token: string, extra: Record<string, string> = {}): Promise<Response> {
  return clientPost("/oauth2/revoke", client, { token, ...extra });
}

/** `POST /oauth2/introspection` for `token`. */
export function introspect(client: TestClient, token: string, style?: AuthStyle): Promise<Response> {
  return clientPost("/oauth2/introspection", client, { token }, style);
}

/** `GET /oauth2/userinfo` with `token` as the bearer. */
export function userinfo(token: string): Promise<Response> {
  return call("/oauth2/userinfo", { headers: { Authorization: `Bearer ${token}` } });
}

/** Asserts RFC 7009's answer: 200 with an empty body, not to be cached. */
export async function expectRevocationAnswer(response: Response): Promise<void> {
  const text = await response.text();
  expect(response.status, text).toBe(200);
  expect(text).toBe("");
  expect(response.headers.get("Cache-Control")).toBe("no-store");
  expect(response.headers.get("Pragma")).toBe("no-cache");
}

/** Asserts an introspection answer's status and headers, and returns its body. */
export async function introspectionBody(response: Response): Promise<Record<string, unknown>> {
  const text = await response.text();
  expect(response.status, text).toBe(200);
  expect(response.headers.get("Content-Type")).toBe("application/json");
  expect(response.headers.get("Cache-Control")).toBe("no-store");
  expect(response.headers.get("Pragma")).toBe("no-cache");
  return JSON.parse(text) as Record<string, unknown>;
}

/** Asserts that `client` introspecting `token` learns `{"active": false}` and nothing else. */
export async function expectInactive(client: TestClient, token: string): Promise<void> {
  expect(await introspectionBody(await introspect(client, token))).toEqual(INACTIVE);
}

/** Asserts a 400 `invalid_grant` from the token endpoint, whole body and headers. */
export async function expectInvalidGrant(response: Response): Promise<void> {
  const text = await response.text();
  expect(response.status, text).toBe(400);
  expect(JSON.parse(text)).toEqual(INVALID_GRANT);
  expect(response.headers.get("Cache-Control")).toBe("no-store");
  expect(response.headers.get("Pragma")).toBe("no-cache");
}

/** A family's tokens as a test holds them. */
export interface HeldTokens {
  access_token: string;
  refresh_token: string;
}

/**
 * Asserts that a family is over from every side: its refresh token is refused, its access token
 * introspects inactive and userinfo refuses it.
 */
export async function expectFamilyEnded(client: TestClient, tokens: HeldTokens): Promise<void> {
  await expectInvalidGrant(await refresh(client, tokens.refresh_token));
  await expectInactive(client, tokens.access_token);
  const answer = await userinfo(tokens.access_token);
  expect(answer.status).toBe(401);
  expect(answer.headers.get("WWW-Authenticate")).toBe('Bearer error="invalid_token"');
}

/**
 * Asserts that a family still works: its access token is live for userinfo, and its refresh
 * token rotates. Returns the rotated tokens (the held refresh token is then retired).
 */
export async function expectFamilyLive(client: TestClient, tokens: HeldTokens): Promise<HeldTokens> {
  expect((await userinfo(tokens.access_token)).status).toBe(200);
  const response = await refresh(client, tokens.refresh_token);
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return JSON.parse(text) as HeldTokens;
}
