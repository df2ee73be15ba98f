/**
 * The HTML of the built-in development login: the form, and the pages for requests it cannot
 * answer. Every dynamic value is escaped.
 */
import type { AuthorizationView } from "../authorize/pending-request";
import { cspSource, escapeHtml, htmlPage } from "./html";

/** What the form is filled in with: real values, sent as shown unless changed. */
export const DEV_SUBJECT = "user_dev";
const DEV_EMAIL = "dev@example.com";
const DEV_NAME = "Dev User";

/**
 * The login form for pending request `id`: who asks, for what, and where the answer goes, with
 * Approve (the primary action) and Deny buttons that POST back to the page with `formToken`.
 */
export function devLoginForm(id: string, formToken: string, view: AuthorizationView): Response {
  const client = view.client_name ?? view.client_id;
  const response = htmlPage(
    "Development login",
    `<h1>Development login</h1>
<p class="muted">This page signs in whoever is typed below, without a password. It stands in for the
host application's login during development; production sets <code>LOGIN_URL</code> instead.</p>
<p><strong>${escapeHtml(client)}</strong> (<code>${escapeHtml(view.client_id)}</code>) asks for
<code>${escapeHtml(view.scope)}</code>.</p>
<p class="muted">The answer goes to <code>${escapeHtml(view.redirect_uri)}</code>.</p>
<form method="post" action="/dev/login">
<input type="hidden" name="authorization_request" value="${escapeHtml(id)}">
<input type="hidden" name="form_token" value="${escapeHtml(formToken)}">
<label for="subject">Subject (the user's id)</label>
<input id="subject" name="subject" value="${DEV_SUBJECT}" required maxlength="255">
<label for="email">Email (optional; clear it to send none)</label>
<input id="email" name="email" type="email" maxlength="320" value="${DEV_EMAIL}">
<label for="name">Name (optional; clear it to send none)</label>
<input id="name" name="name" maxlength="320" value="${DEV_NAME}">
<button type="submit" name="action" value="approve" class="primary" autofocus>Approve</button>
<button type="submit" name="action" value="deny" formnovalidate>Deny</button>
</form>`,
  );
  // CSP form-action also governs where the form's POST may redirect (browsers enforce it on the
  // 303), so the client's redirect URI must be allowed besides this page itself.
  response.headers.set(
    "Content-Security-Policy",
    `default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${cspSource(view.redirect_uri)}; frame-ancestors 'none'`,
  );
  return response;
}

/** A page for a request the development login cannot answer. */
export function devLoginProblem(status: number, heading: string, detail: string): Response {
  return htmlPage(
    "Development login",
    `<h1>${escapeHtml(heading)}</h1>
<p>${escapeHtml(detail)}</p>
<p class="muted">Start again from the application.</p>`,
    status,
  );
}
