/**
 * The authorization code flow as a client and a host application drive it: `/oauth2/authorize`,
 * the admin API's login hand-off, and the code's redemption at the token endpoint.
 */
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { openPendingRequest } from "../../src/authorize/pending-request";
import { readConfig } from "../../src/config";
import type { Env } from "../../src/env";
import type { TestClient } from "./clients";
import { ALICE } from "./families";
import { tokenRequest, type AuthStyle } from "./token-requests";
import { BASE, admin, callerWith } from "./worker";

/** The host application's login page in these tests. */
export const LOGIN_URL = "https://login.example/start";
/** The redirect URI `registerClient` registers by default. */
export const REDIRECT_URI = "https://app.example/callback";
/** The scope `registerClient` allows by default, and what the flow asks for unless told. */
export const FULL_SCOPE = "openid profile email offline_access";

/**
 * Sends a request to the Worker with some settings changed. The test project configures neither
 * `LOGIN_URL` nor `DEV_LOGIN`, so a successful `/oauth2/authorize` needs `LOGIN_URL` set here.
 */
export function callWith(settings: Partial<Env>, path: string, init: RequestInit = {}): Promise<Response> {
  return callerWith(settings)(path, init);
}

/** `GET /oauth2/authorize` with `query` (kept as given, repeats included), with `LOGIN_URL` set. */
export function authorize(
  query: URLSearchParams | Record<string, string>,
  settings: Partial<Env> = { LOGIN_URL },
): Promise<Response> {
  return callWith(settings, `/oauth2/authorize?${new URLSearchParams(query)}`);
}

/**
 * Follows an authorization URL built by a client library the way a browser would, with
 * `LOGIN_URL` set. The URL must point at the Worker.
 */
export function followAuthorizationUrl(url: URL): Promise<Response> {
  expect(url.origin).toBe(BASE);
  return callWith({ LOGIN_URL }, url.pathname + url.search);
}

/** A fresh PKCE code verifier: 32 random bytes, base64url (43 characters). */
export function newCodeVerifier(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** The S256 challenge of `verifier` (RFC 7636 §4.2), computed here and not by Baton's code. */
export async function s256(verifier: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))));
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

/** What a test may change about an authorization request. */
export interface AuthorizationOptions {
  scope?: string;
  redirectUri?: string;
  state?: string;
  nonce?: string;
  /** `false` sends no PKCE parameters at all. */
  pkce?: boolean;
  /** Extra or overriding query parameters. */
  extra?: Record<string, string>;
}

/** A request accepted by `/oauth2/authorize`, waiting for the login. */
export interface StartedAuthorization {
  /** The `authorization_request` handed to the login page (the sealed pending request). */
  id: string;
  /** The grant this request becomes (sealed inside `id`; read here through the admin API's eyes). */
  sid: string;
  state: string;
  nonce: string;
  redirectUri: string;
  /** `undefined` when the request carried no PKCE. */
  codeVerifier: string | undefined;
}

/** The query of a well-formed authorization request for `client`, and its PKCE verifier. */
export async function authorizationQuery(
  client: TestClient,
  options: AuthorizationOptions = {},
): Promise<{ query: Record<string, string>; codeVerifier: string | undefined; state: string; nonce: string }> {
  const state = options.state ?? `state-${crypto.randomUUID()}`;
  const nonce = options.nonce ?? `nonce-${crypto.randomUUID()}`;
  const codeVerifier = options.pkce === false ? undefined : newCodeVerifier();
  const query: Record<string, string> = {
    response_type: "code",
    client_id: client.client_id,
    redirect_uri: options.redirectUri ?? REDIRECT_URI,
    scope: options.scope ?? FULL_SCOPE,
    state,
    nonce,
    ...(codeVerifier !== undefined && { code_challenge: await s256(codeVerifier), code_challenge_method: "S256" }),
    ...options.extra,
  };
  return { query, codeVerifier, state, nonce };
}

/** Runs `/oauth2/authorize` and asserts the hand-off to the login page; returns the request id. */
export async function startAuthorization(
  client: TestClient,
  options: AuthorizationOptions = {},
): Promise<StartedAuthorization> {
  const { query, codeVerifier, state, nonce } = await authorizationQuery(client, options);
  const response = await authorize(query);
  const id = expectLoginHandOff(response);
  return {
    id,
    sid: await sidOfRequest(id),
    state,
    nonce,
    redirectUri: query.redirect_uri!,
    codeVerifier,
  };
}

/** The sid a pending request's id was sealed with (the grant its answer creates). */
export async function sidOfRequest(id: string): Promise<string> {
  const pending = await openPendingRequest(readConfig(env), id, Math.floor(Date.now() / 1000));
  expect(pending).toBeDefined();
  return pending!.sid;
}

/** Asserts a 302 to `LOGIN_URL?authorization_request=ID` and returns the ID. */
export function expectLoginHandOff(response: Response): string {
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get("Location")!);
  expect(location.origin + location.pathname).toBe(LOGIN_URL);
  expect([...location.searchParams.keys()]).toEqual(["authorization_request"]);
  return location.searchParams.get("authorization_request")!;
}

/** An error response sent to the client's redirect URI (RFC 6749 §4.1.2.1, RFC 9207). */
export interface ExpectedRedirectError {
  redirectUri?: string;
  error: string;
  description: string;
  /** The `state` that must come back; `undefined` when none may. */
  state: string | undefined;
}

/** Asserts a redirect URL carries exactly `error`, `error_description`, `state` and `iss`. */
export function expectErrorRedirectUrl(location: URL, expected: ExpectedRedirectError): void {
  expect(location.origin + location.pathname).toBe(expected.redirectUri ?? REDIRECT_URI);
  expect(Object.fromEntries(location.searchParams)).toEqual({
    error: expected.error,
    error_description: expected.description,
    ...(expected.state !== undefined && { state: expected.state }),
    iss: BASE,
  });
  expect(location.searchParams.getAll("state").length).toBe(expected.state === undefined ? 0 : 1);
}

/** Asserts a 302 from `/oauth2/authorize` to the client with an error. */
export function expectErrorRedirect(response: Response, expected: ExpectedRedirectError): void {
  expect(response.status).toBe(302);
  expect(response.headers.get("Cache-Control")).toBe("no-store");
  expectErrorRedirectUrl(new URL(response.headers.get("Location")!), expected);
}

/** What the host application reports about the user by default: Alice, just logged in. */
export function aliceLogin(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { subject: "user_alice", claims: ALICE, ...extra };
}

/** `POST /admin/authorizations/ID/complete` with `body` (Alice by default). */
export function complete(id: string, body: unknown = aliceLogin()): Promise<Response> {
  return admin("POST", `/admin/authorizations/${id}/complete`, body);
}

/** Completes the login and returns the redirect back to the client. */
export async function completeLogin(id: string, body: unknown = aliceLogin()): Promise<URL> {
  const response = await complete(id, body);
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return new URL((JSON.parse(text) as { redirect_to: string }).redirect_to);
}

/** An authorization code issued for `client`, with what its redemption needs. */
export interface IssuedCode extends StartedAuthorization {
  code: string;
  /** The full redirect back to the client (code, state, iss). */
  redirect: URL;
}

/** Runs `/oauth2/authorize` and the login; returns the code. */
export async function issueCode(
  client: TestClient,
  options: AuthorizationOptions = {},
  login: unknown = aliceLogin(),
): Promise<IssuedCode> {
  const started = await startAuthorization(client, options);
  const redirect = await completeLogin(started.id, login);
  return { ...started, code: redirect.searchParams.get("code")!, redirect };
}

/** The authorization_code grant request for `issued`, with parameters overridden by `extra`. */
export function redeem(
  client: TestClient,
  issued: Pick<IssuedCode, "code" | "redirectUri" | "codeVerifier">,
  style: AuthStyle = client.client_secret === undefined ? "none" : "basic",
  extra: Record<string, string> = {},
): Promise<Response> {
  const params: Record<string, string> = {
    grant_type: "authorization_code",
    code: issued.code,
    redirect_uri: issued.redirectUri,
    ...(issued.codeVerifier !== undefined && { code_verifier: issued.codeVerifier }),
    ...extra,
  };
  return tokenRequest(client, params, style);
}

/** A token response from the authorization_code grant. */
export interface CodeTokens {
  access_token: string;
  token_type: string;
  expires_in: number;
  scope: string;
  id_token?: string;
  refresh_token?: string;
}

/** The whole flow: authorize, log Alice in, redeem. Returns the grant's sid and its tokens. */
export async function runCodeFlow(
  client: TestClient,
  options: AuthorizationOptions = {},
  login: unknown = aliceLogin(),
): Promise<{ sid: string; issued: IssuedCode; tokens: CodeTokens }> {
  const issued = await issueCode(client, options, login);
  const response = await redeem(client, issued);
  const text = await response.text();
  expect(response.status, text).toBe(200);
  const tokens = JSON.parse(text) as CodeTokens;
  return { sid: jwtPayload(tokens.access_token).sid as string, issued, tokens };
}

/** The payload of a JWT, decoded without any check (the tests that need checks make them). */
export function jwtPayload(jwt: string): Record<string, unknown> {
  const part = jwt.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(part);
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
}
