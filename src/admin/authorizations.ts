/**
 * The host application's side of a login: read a pending authorization request, then complete
 * or deny it. Completing issues the code and answers with the redirect to the client.
 */
import { describePendingRequest, openPendingRequest, openUnansweredRequest } from "../authorize/pending-request";
import { nowSeconds } from "../clock";
import type { Config } from "../config";
import type { Env } from "../env";
import { OAuthError } from "../errors";
import type { LoginOutcome } from "../grant/authorization-state";
import type { LoginResult } from "../grant/grant";
import { grantFor } from "../grant/locate";
import { readJsonObject } from "../http/json-body";
import { jsonResponse } from "../http/json-response";
import { readLoginOutcome } from "./login-outcome";
import { confirmRegistration } from "../registration/confirm";

/** `GET /admin/authorizations/ID`: 200 with what is asked, 404 when unknown, expired or answered. */
export async function readAuthorization(env: Env, config: Config, id: string): Promise<Response> {
  const pending = await openUnansweredRequest(env, config, id, nowSeconds());
  if (pending === undefined) throw notFound();
  return jsonResponse(describePendingRequest(pending));
}

/** `POST /admin/authorizations/ID/complete`: 200 `{redirect_to}` with the code. */
export async function completeAuthorization(
  request: Request,
  env: Env,
  config: Config,
  id: string,
  issuer: string,
): Promise<Response> {
  const outcome = readLoginOutcome(await readJsonObject(request), nowSeconds());
  return answer(await finishLogin(env, config, id, issuer, outcome));
}

/** `POST /admin/authorizations/ID/deny`: 200 `{redirect_to}` with `error=access_denied`. */
export async function denyAuthorization(env: Env, config: Config, id: string, issuer: string): Promise<Response> {
  return answer(await finishLogin(env, config, id, issuer, undefined));
}

/**
 * Completes (with an outcome) or denies (without) a pending request. Shared by the admin API and
 * the development login page, which passes a `repeatKey` so that a double-click on Approve lands
 * on the same redirect.
 */
export async function finishLogin(
  env: Env,
  config: Config,
  id: string,
  issuer: string,
  outcome: LoginOutcome | undefined,
  repeatKey?: Uint8Array,
): Promise<LoginResult> {
  const pending = await openPendingRequest(config, id, nowSeconds());
  if (pending === undefined) return { ok: false, reason: "not_found" };
  const grant = grantFor(env, config, pending.sid);
  if (outcome === undefined) return grant.denyAuthorization(pending, issuer);
  const result = await grant.completeAuthorization(pending, outcome, issuer, repeatKey);
  // Only an approval the grant accepted keeps a dynamic registration. One whose registration has
  // just ended gets no redirect: its code could never be redeemed.
  if (result.ok && !(await confirmRegistration(env, config, pending.clientId, pending.clientEnds)))
    return { ok: false, reason: "not_found" };
  return result;
}

function answer(result: LoginResult): Response {
  if (result.ok) return jsonResponse({ redirect_to: result.redirectTo });
  switch (result.reason) {
    case "not_found":
      throw notFound();
    case "completed":
      throw new OAuthError("conflict", "The authorization request was already answered.", 409);
    case "invalid_scope":
      throw new OAuthError("invalid_scope", "The granted scope must be a subset of the requested scope.");
    case "login_required":
      throw new OAuthError(
        "login_required",
        "The request asks for a more recent authentication (max_age or prompt=login) than auth_time.",
      );
  }
}

function notFound(): OAuthError {
  return new OAuthError("not_found", "No such pending authorization request.", 404);
}
