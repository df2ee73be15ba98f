/**
 * The pages of RP-initiated logout: the question asked when nothing proves who is signing out,
 * the "signed out" page, and the refusals. Every dynamic value is escaped.
 *
 * @see OpenID Connect RP-Initiated Logout 1.0 §2 (asking the End-User), §4 (validation)
 */
import { cspSource, escapeHtml, htmlPage } from "../pages/html";
import { CONFIRM_FIELD } from "./logout-request";

/** What the confirmation form posts back, exactly as the request gave it. */
export interface ConfirmationFields {
  clientId?: string;
  postLogoutRedirectUri?: string;
  state?: string;
}

/**
 * The question asked when a request carries no `id_token_hint`: the user answers on this page,
 * whose form posts back to the endpoint with the request's own parameters. `clientName` is the
 * registered client's, when the request named one; `destination`, where the answer goes on to.
 */
export function confirmationPage(fields: ConfirmationFields, clientName?: string, destination?: string): Response {
  const hidden = [
    ["client_id", fields.clientId],
    ["post_logout_redirect_uri", fields.postLogoutRedirectUri],
    ["state", fields.state],
  ]
    .filter((field): field is [string, string] => field[1] !== undefined)
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">\n`)
    .join("");
  const who = clientName === undefined ? "An application" : `<strong>${escapeHtml(clientName)}</strong>`;
  const response = htmlPage(
    "Sign out",
    `<h1>Sign out?</h1>
<p>${who} asks to sign you out.</p>
<form method="post" action="/oauth2/logout">
${hidden}<button type="submit" name="${CONFIRM_FIELD}" value="yes" class="primary" autofocus>Sign out</button>
</form>
<p class="muted">If you did not ask to sign out, close this page: nothing changes.</p>`,
  );
  // CSP form-action also governs where the form's POST is redirected (browsers enforce it on the
  // 302), so the destination must be allowed besides this page itself.
  if (destination !== undefined) {
    response.headers.set(
      "Content-Security-Policy",
      `default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${cspSource(destination)}; frame-ancestors 'none'`,
    );
  }
  return response;
}

/** Where the browser lands when neither the client nor the host application takes it back. */
export function signedOutPage(): Response {
  return htmlPage(
    "Signed out",
    `<h1>You are signed out</h1>
<p>You can close this page.</p>`,
  );
}

/** A request that is refused: no redirect, nothing revoked. */
export function refusalPage(reason: string, status: number): Response {
  return htmlPage(
    "Sign-out request refused",
    `<h1>This sign-out link is not valid</h1>
<p>${escapeHtml(reason)}</p>
<p class="muted">Nothing was signed out. Go back to the application and sign out from there again.</p>`,
    status,
  );
}

/** Storage failed mid-revocation: the session may still be live, so nothing goes on from here. */
export function unavailablePage(): Response {
  const response = htmlPage(
    "Sign-out did not finish",
    `<h1>Signing out did not finish</h1>
<p>The session could not be ended just now.</p>
<p class="muted">Try again in a moment.</p>`,
    503,
  );
  response.headers.set("Retry-After", "1");
  return response;
}
