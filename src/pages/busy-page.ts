/**
 * The browser's page for a request refused only because its source asked too often: the
 * authorization and logout endpoints answer a person, not a client library, so a 429 there is
 * a page rather than a JSON error, with the same status and `Retry-After`.
 *
 * @see RFC 6585 §4 (429 Too Many Requests)
 */
import { OAuthError } from "../errors";
import { escapeHtml, htmlPage } from "./html";

/** `error` (a 429 `temporarily_unavailable`) as a page, its headers kept. */
export function busyPage(error: OAuthError): Response {
  const response = htmlPage(
    "Too many requests",
    `<h1>Too many requests from here</h1>
<p>${escapeHtml(error.description)}</p>
<p class="muted">Nothing was lost. Wait a minute, then go back to the application and try again.</p>`,
    429,
  );
  for (const [name, value] of Object.entries(error.headers)) response.headers.set(name, value);
  return response;
}

/** Whether `error` is a refusal for asking too often, which a page renders with {@link busyPage}. */
export function isBusy(error: unknown): error is OAuthError {
  return error instanceof OAuthError && error.status === 429;
}
