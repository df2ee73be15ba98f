/**
 * RP-initiated logout as a browser sends it, and what its answers must be: redirects with
 * nothing but `state` added, and whole pages.
 */
import { expect } from "vitest";
import type { Env } from "../../src/env";
import { expectPageHeaders, pageBody, PAGE_CSP } from "../pages/page-support";
import { registerClient, type TestClient } from "../support/clients";
import { runCodeFlow } from "../support/code-flow";
import { BASE, callerWith } from "../support/worker";
import { signWithConfiguredKey } from "../userinfo/test-tokens";

/** The post-logout redirect URI `logoutClient` registers. */
export const POST_LOGOUT_URI = "https://app.example/signed-out";
/** A second one, with a query of its own that must be kept. */
export const POST_LOGOUT_URI_WITH_QUERY = "https://app.example/bye?from=baton";
/** The host application's page in the tests that configure `LOGOUT_URL`. */
export const LOGOUT_URL = "https://host.example/logout";

/** Registers a confidential web client that may be sent back to the two URIs above. */
export function logoutClient(metadata: Record<string, unknown> = {}): Promise<TestClient> {
  return registerClient({ post_logout_redirect_uris: [POST_LOGOUT_URI, POST_LOGOUT_URI_WITH_QUERY], ...metadata });
}

/** A session of `client`: the code flow, its sid, and the tokens the client holds. */
export async function signIn(client: TestClient) {
  const { sid, tokens } = await runCodeFlow(client);
  return { sid, tokens: tokens as typeof tokens & { id_token: string; refresh_token: string } };
}

/**
 * An ID token of the session `sid` of `clientId`, signed with Baton's own first key as Baton
 * signs them, but expired an hour ago (an ID token lives an hour).
 */
export function expiredIdToken(clientId: string, sid: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return signWithConfiguredKey(
    { iss: BASE, sub: "user_alice", aud: clientId, iat: now - 7200, exp: now - 3600, auth_time: now - 7200, sid },
    0,
    { typ: "JWT" },
  );
}

/** Sends a request to the Worker with some settings changed (`LOGOUT_URL`, mostly). */
export function send(path: string, init: RequestInit = {}, settings: Partial<Env> = {}): Promise<Response> {
  return callerWith(settings)(path, init);
}

/** `GET /oauth2/logout` with `query`, repeats kept as given. */
export function logoutGet(
  query: Record<string, string> | [string, string][],
  settings: Partial<Env> = {},
): Promise<Response> {
  const search = new URLSearchParams(query).toString();
  return send(`/oauth2/logout${search === "" ? "" : `?${search}`}`, {}, settings);
}

/** `POST /oauth2/logout` with a form body, as a client's page or Baton's own form sends it. */
export function logoutPost(
  form: Record<string, string> | string,
  headers: Record<string, string> = {},
  settings: Partial<Env> = {},
): Promise<Response> {
  return send(
    "/oauth2/logout",
    {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
      body: typeof form === "string" ? form : new URLSearchParams(form).toString(),
    },
    settings,
  );
}

/** Asserts a 302 to exactly `location`, not to be cached, with no body and no CORS. */
export async function expectRedirect(response: Response, location: string): Promise<void> {
  const text = await response.text();
  expect(response.status, text).toBe(302);
  expect(response.headers.get("Location")).toBe(location);
  expect(response.headers.get("Cache-Control")).toBe("no-store");
  expect(response.headers.get("Access-Control-Allow-Origin")).toBeNull();
  expect(text).toBe("");
}

/** Asserts a whole page: status, the headers of every page, its CSP and its body. */
export async function expectPage(response: Response, status: number, body: string, csp = PAGE_CSP): Promise<void> {
  expectPageHeaders(response, status);
  expect(response.headers.get("Content-Security-Policy")).toBe(csp);
  expect(response.headers.get("Access-Control-Allow-Origin")).toBeNull();
  expect(await pageBody(response)).toBe(body);
}

/** The body of the "signed out" page. */
export const SIGNED_OUT = `<h1>You are signed out</h1>
<p>You can close this page.</p>`;

/** The body of the page that refuses a request for `reason`. */
export function refused(reason: string): string {
  return `<h1>This sign-out link is not valid</h1>
<p>${reason}</p>
<p class="muted">Nothing was signed out. Go back to the application and sign out from there again.</p>`;
}

/** The fixed reasons of the refusals. */
export const REASON = {
  hint: "The id_token_hint is not an ID token that this server issued.",
  clientMismatch: "The client_id is not the client the id_token_hint was issued to.",
  unregistered: "The post_logout_redirect_uri is not registered for this client.",
  whose: "A post_logout_redirect_uri needs an id_token_hint or a client_id.",
  unknownClient: "The client is not registered.",
  repeated: "A parameter was given more than once.",
  mediaType: "The body must be application/x-www-form-urlencoded.",
  state: "The state is too long.",
};

/** The CSP of the confirmation page whose answer goes on to `origin`. */
export function confirmationCsp(origin: string): string {
  return `default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${origin}; frame-ancestors 'none'`;
}

/** The body of the confirmation page: `who` asks, and the form posts `hidden` back. */
export function confirmation(who: string, hidden: [string, string][] = []): string {
  const fields = hidden.map(([name, value]) => `<input type="hidden" name="${name}" value="${value}">\n`).join("");
  return `<h1>Sign out?</h1>
<p>${who} asks to sign you out.</p>
<form method="post" action="/oauth2/logout">
${fields}<button type="submit" name="confirm" value="yes" class="primary" autofocus>Sign out</button>
</form>
<p class="muted">If you did not ask to sign out, close this page: nothing changes.</p>`;
}
