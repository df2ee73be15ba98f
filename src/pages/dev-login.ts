/**
 * The built-in development login at `/dev/login`: `/oauth2/authorize` hands the user here when
 * `DEV_LOGIN` is on and no `LOGIN_URL` is set. It answers the pending request as the host
 * application would through the admin API, for whoever is typed in. Never for production.
 *
 * Only the page itself may answer: the form carries a token sealed with the server secret and
 * bound to the request and to a cookie set with the page (SameSite=Strict), and a browser's
 * cross-site POST is refused outright, so another site cannot approve a request as anyone.
 */
import { finishLogin } from "../admin/authorizations";
import { readLoginOutcome } from "../admin/login-outcome";
import { describePendingRequest, openUnansweredRequest } from "../authorize/pending-request";
import { nowSeconds } from "../clock";
import type { Config } from "../config";
import { OAuthError, serverError } from "../errors";
import type { LoginOutcome } from "../grant/authorization-state";
import type { Endpoint } from "../http/endpoint";
import { readParams, type Params } from "../http/params";
import { devLoginForm, devLoginProblem } from "./dev-login-form";
import { checkFormToken, issueFormToken, repeatKeyOf } from "./form-token";

/** Whether the development login exists: `DEV_LOGIN` on and no host application login page. */
export function devLoginEnabled(config: Config): boolean {
  return config.devLogin && config.loginUrl === undefined;
}

/** `GET /dev/login?authorization_request=ID`: the form, or 404 for an unknown or expired request. */
export async function showDevLogin({ env, config, url }: Endpoint): Promise<Response> {
  const id = url.searchParams.get("authorization_request") ?? "";
  const pending = await openUnansweredRequest(env, config, id, nowSeconds());
  if (pending === undefined) return unknownRequest();
  const form = await issueFormToken(config, id, pending.expiresAt);
  const response = devLoginForm(id, form.token, describePendingRequest(pending));
  response.headers.append("Set-Cookie", form.cookie(url.protocol === "https:"));
  return response;
}

/**
 * `POST /dev/login`: approves (with the typed subject, email and name) or denies the request,
 * then sends the browser on to the client with 303, so the redirect is a GET.
 */
export async function submitDevLogin({ request, env, config, issuer, url }: Endpoint): Promise<Response> {
  // Fetch Metadata (sent by every current browser): a form posted from another site is CSRF.
  if (request.headers.get("Sec-Fetch-Site") === "cross-site") return forbidden();
  let params: Params;
  let outcome: LoginOutcome | undefined;
  try {
    params = await readParams(request, url);
    const action = params.get("action");
    if (action !== "approve" && action !== "deny") {
      return devLoginProblem(400, "Nothing was chosen", "Choose Approve or Deny.");
    }
    outcome = action === "approve" ? readOutcome(params) : undefined;
  } catch (error) {
    if (!(error instanceof OAuthError) || error.code !== "invalid_request") throw error;
    return devLoginProblem(error.status, "The form could not be read", error.description);
  }
  const id = params.get("authorization_request") ?? "";
  const formToken = params.get("form_token") ?? "";
  const cookie = request.headers.get("Cookie");
  if (!(await checkFormToken(config, formToken, id, cookie, nowSeconds()))) return forbidden();
  const repeatKey = outcome === undefined ? undefined : await repeatKeyOf(formToken, id, cookie, outcome);
  const result = await finishLogin(env, config, id, issuer, outcome, repeatKey);
  if (result.ok) {
    return new Response(null, { status: 303, headers: { Location: result.redirectTo, "Cache-Control": "no-store" } });
  }
  switch (result.reason) {
    case "not_found":
      return unknownRequest();
    case "completed":
      return devLoginProblem(409, "Already answered", "This sign-in request was already approved or denied.");
    case "invalid_scope":
    case "login_required":
      // The page grants exactly what was requested, and its login happens now: neither can
      // happen from its form.
      throw serverError();
  }
}

/** The outcome the admin API would receive; the typed email counts as verified. */
function readOutcome(params: Params): LoginOutcome {
  const email = params.get("email");
  const name = params.get("name")?.trim();
  const claims: Record<string, unknown> = {};
  if (email !== undefined) Object.assign(claims, { email, email_verified: true });
  if (name !== undefined && name !== "") Object.assign(claims, { name, ...splitName(name) });
  return readLoginOutcome({ subject: params.get("subject"), claims }, nowSeconds());
}

/** "Ada King Lovelace" → given "Ada", family "King Lovelace"; a single word is a given name. */
function splitName(name: string): { given_name: string; family_name?: string } {
  const space = name.indexOf(" ");
  if (space < 0) return { given_name: name };
  return { given_name: name.slice(0, space), family_name: name.slice(space + 1).trim() };
}

function unknownRequest(): Response {
  return devLoginProblem(
    404,
    "This sign-in request is not pending",
    "It is unknown, has expired (requests live ten minutes), or was already answered.",
  );
}

function forbidden(): Response {
  return devLoginProblem(
    403,
    "This form was not sent from its own page",
    "Open the sign-in page again from the application and answer it there.",
  );
}
