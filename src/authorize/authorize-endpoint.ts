/**
 * `GET` (or `POST`) `/oauth2/authorize`: validates the request, seals it into the id of the
 * pending request (nothing is stored), and hands the user to the host application's login page
 * (or the built-in development one).
 *
 * @see RFC 6749 §4.1.1, §4.1.2.1; RFC 7636; OIDC Core §3.1.2
 */
import { kindOf } from "../clients/record";
import { OAuthError } from "../errors";
import { readBodyCapped } from "../http/body";
import { resolveClient } from "../clients/resolve";
import { newSid } from "../grant/sid";
import { redirectWith } from "../grant/redirect";
import { log } from "../log";
import { escapeHtml, htmlPage } from "../pages/html";
import { AuthorizationRedirectError, MAX_STATE_LENGTH, validateAuthorizationRequest } from "./authorization-request";
import { isRegisteredRedirect } from "../clients/redirect-match";
import type { Endpoint } from "../http/endpoint";
import type { RequestTrace } from "../http/trace";
import { sourceAddress } from "../http/source-address";
import { busyPage, isBusy } from "../pages/busy-page";
import { serverKeys } from "../secrets/server-keys";
import { nowSeconds } from "../clock";
import { loginPage } from "./login-page";
import { sealPendingRequest } from "./pending-request";

/** Handles an authorization request. */
export async function handleAuthorize(endpoint: Endpoint): Promise<Response> {
  const { request, env, config, url, issuer, trace } = endpoint;
  const params = await requestParams(request, url);
  if (typeof params === "string") {
    trace.outcome = "invalid_request";
    return refusalPage(params);
  }
  // RFC 9700 §4.12: the answer to a POST is a 303, which every browser follows with a GET.
  const redirect = (location: string) => redirectTo(location, request.method === "POST" ? 303 : 302);
  const repeated = repeatedNames(params);
  const clientId = params.get("client_id");
  if (clientId === null || clientId === "" || repeated.has("client_id")) {
    trace.outcome = "invalid_request";
    return refusalPage("The request has no valid client_id.");
  }
  const redirectUri = params.get("redirect_uri");
  // Refused before the client is looked up, so that a request no client could make good never
  // costs a document fetch; the same page as for an unregistered URI, below.
  if (redirectUri === null || redirectUri === "" || repeated.has("redirect_uri")) return badRedirect(trace);
  let client;
  try {
    client = await resolveClient(env, config, clientId, sourceAddress(request));
  } catch (error) {
    if (!isBusy(error)) throw error;
    trace.outcome = error.code;
    return busyPage(error);
  }
  if (client === undefined) {
    trace.outcome = "invalid_client";
    return refusalPage("The client is not registered.");
  }
  trace.clientId = client.client_id;
  // Only a registered URI may receive anything, errors included (RFC 9700 §2.1).
  if (!isRegisteredRedirect(client.redirect_uris, redirectUri)) return badRedirect(trace);
  // An empty state counts as absent (RFC 6749 §3.1), as it does for the success redirect.
  const rawState = params.get("state") ?? "";
  // A state too long to accept is not echoed either: the error redirect must stay small.
  const state = repeated.has("state") || rawState === "" || rawState.length > MAX_STATE_LENGTH ? undefined : rawState;
  try {
    const valid = validateAuthorizationRequest(client, params, repeated, config.resources);
    const login = loginPage(config, url);
    if (login === undefined) {
      log(config, "error", "configuration error", { detail: "neither LOGIN_URL nor DEV_LOGIN is set" });
      trace.outcome = "server_error";
      return redirect(redirectWith(redirectUri, serverError, state, issuer));
    }
    const id = await sealPendingRequest(
      config,
      {
        sid: await newSid(await serverKeys(config)),
        clientId: client.client_id,
        ...(client.client_name !== undefined && { clientName: client.client_name }),
        redirectUri,
        ...valid,
        ...(client.organization_id !== undefined && { clientOrganizationId: client.organization_id }),
        clientKind: kindOf(client),
        ...(client.unconfirmed_until !== undefined && { clientEnds: client.unconfirmed_until }),
      },
      nowSeconds(),
    );
    // An id too long to open again: refused now, while the client can still be told.
    if (id === undefined) {
      throw new AuthorizationRedirectError("invalid_request", "The authorization request is too large.");
    }
    login.searchParams.set("authorization_request", id);
    return redirect(login.toString());
  } catch (error) {
    if (!(error instanceof AuthorizationRedirectError)) throw error;
    const params = { error: error.code, error_description: error.description };
    trace.outcome = error.code;
    return redirect(redirectWith(redirectUri, params, state, issuer));
  }
}

const serverError = {
  error: "server_error",
  error_description: "The authorization server is not configured for logins.",
};

function repeatedNames(params: URLSearchParams): Set<string> {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const name of params.keys()) {
    // RFC 8707 §2: resource is the one parameter a client may repeat.
    if (name !== "resource") (seen.has(name) ? repeated : seen).add(name);
  }
  return repeated;
}

function redirectTo(location: string, status: 302 | 303): Response {
  return new Response(null, { status, headers: { Location: location, "Cache-Control": "no-store" } });
}

/**
 * The request's parameters: a GET's query, or a POST's form body (OIDC Core §3.1.2.1: the same
 * parameters, form-serialized; the query of a POST is not read). A refusal page's reason for a
 * body that is no form.
 */
async function requestParams(request: Request, url: URL): Promise<URLSearchParams | string> {
  if (request.method !== "POST") return url.searchParams;
  const type = request.headers.get("Content-Type")?.split(";", 1)[0]!.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") return "The request must be sent as a form.";
  try {
    return new URLSearchParams(new TextDecoder().decode(await readBodyCapped(request)));
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    return error.status === 413 ? "The request is too large." : "The request could not be read.";
  }
}

function badRedirect(trace: RequestTrace): Response {
  trace.outcome = "invalid_request";
  return refusalPage("The redirect_uri is missing or is not registered for this client.");
}

/** The 400 page for a request that cannot be redirected (RFC 6749 §4.1.2.1, first paragraph). */
function refusalPage(reason: string): Response {
  return htmlPage(
    "Authorization request refused",
    `<h1>This sign-in link is not valid</h1>
<p>${escapeHtml(reason)}</p>
<p class="muted">Go back to the application and try again. If this keeps happening, tell its developers.</p>`,
    400,
  );
}
