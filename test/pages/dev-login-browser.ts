/** The development login as a browser drives it, shared by its tests. */
import { expect } from "vitest";
import type { TestClient } from "../support/clients";
import { tokenRequest } from "../support/token-requests";
import { BASE } from "../support/worker";
import { fetchWith } from "./page-support";

export const dev = fetchWith({ DEV_LOGIN: "true" });
export const REDIRECT_URI = "https://app.example/callback";
export const VERIFIER = "dev-login-test-verifier-0123456789-abcdefghijklmnop";
export const FORM_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' https://app.example; frame-ancestors 'none'";

export async function challengeOf(verifier: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  return btoa(String.fromCharCode(...digest))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

/** Starts an authorization request the way a browser does and returns its id from the hand-off. */
export async function beginAuthorization(
  client: TestClient,
  scope = "openid profile email offline_access",
  redirectUri = REDIRECT_URI,
): Promise<string> {
  const params = new URLSearchParams({
    response_type: "code",
    client_id: client.client_id,
    redirect_uri: redirectUri,
    scope,
    state: "state-1",
    nonce: "nonce-1",
    code_challenge: await challengeOf(VERIFIER),
    code_challenge_method: "S256",
  });
  const response = await dev(`/oauth2/authorize?${params}`);
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get("Location")!);
  expect(`${location.origin}${location.pathname}`).toBe(`${BASE}/dev/login`);
  return location.searchParams.get("authorization_request")!;
}

/** What a browser keeps from the form page: its token field and the cookie set with it. */
export interface OpenedForm {
  formToken: string;
  cookie: string;
}

/** Loads the form of request `id` as a browser would, keeping its token and cookie. */
export async function openForm(id: string): Promise<OpenedForm> {
  const response = await dev(`/dev/login?authorization_request=${id}`);
  expect(response.status).toBe(200);
  const html = await response.text();
  const formToken = /name="form_token" value="([A-Za-z0-9_-]+)"/.exec(html)![1]!;
  const setCookie = response.headers.get("Set-Cookie")!;
  return { formToken, cookie: setCookie.split(";", 1)[0]! };
}

/**
 * POSTs the form as its page would: with the token and the cookie of `form`, when given, and
 * the Fetch Metadata of a same-origin form post.
 */
export function submit(fields: Record<string, string>, form?: OpenedForm, headers: Record<string, string> = {}) {
  return dev("/dev/login", {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      "Sec-Fetch-Site": "same-origin",
      ...(form !== undefined && { Cookie: form.cookie }),
      ...headers,
    },
    body: new URLSearchParams({ ...fields, ...(form !== undefined && { form_token: form.formToken }) }),
  });
}

/** The redirect of a 303 answer, with its query as an object. */
export function redirectOf(response: Response): { target: string; query: Record<string, string> } {
  expect(response.status).toBe(303);
  expect(response.headers.get("Cache-Control")).toBe("no-store");
  const url = new URL(response.headers.get("Location")!);
  return { target: `${url.origin}${url.pathname}`, query: Object.fromEntries(url.searchParams) };
}

export async function redeem(client: TestClient, code: string) {
  const response = await tokenRequest(client, {
    grant_type: "authorization_code",
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: VERIFIER,
  });
  expect(response.status).toBe(200);
  return response.json<{ access_token: string; id_token: string; refresh_token: string; scope: string }>();
}

export function problemPage(heading: string, detail: string): string {
  return `<h1>${heading}</h1>
<p>${detail}</p>
<p class="muted">Start again from the application.</p>`;
}

export const NOT_FROM_THE_FORM = problemPage(
  "This form was not sent from its own page",
  "Open the sign-in page again from the application and answer it there.",
);

export const UNKNOWN_REQUEST = problemPage(
  "This sign-in request is not pending",
  "It is unknown, has expired (requests live ten minutes), or was already answered.",
);
