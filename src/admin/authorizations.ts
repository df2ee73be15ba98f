/**
 * The host application's side of a login: read a pending authorization request, then complete
 * or deny it. Completing issues the code and answers with the redirect to the client.
 */
import type { Env } from "../env";
import { OAuthError } from "../errors";
import type { LoginOutcome } from "../grant/authorization-state";
import type { LoginResult } from "../grant/grant";
import { isSid } from "../grant/refresh-token";
import { readJsonObject } from "../http/json-body";
import { jsonResponse } from "../http/json-response";
import { readLoginOutcome } from "./login-outcome";
import { grantFor } from "../grant/locate";
import { readConfig } from "../config";
import { nowSeconds } from "../clock";

/** `GET /admin/authorizations/ID`: 200 with what is asked, 404 when unknown or expired. */
export async function readAuthorization(env: Env, id: string): Promise<Response> {
  const view = isSid(id) ? await grantOf(env, id).describeAuthorization() : undefined;
  if (view === undefined) throw notFound();
  return jsonResponse(view);
}

/** `POST /admin/authorizations/ID/complete`: 200 `{redirect_to}` with the code. */
export async function completeAuthorization(request: Request, env: Env, id: string, issuer: string): Promise<Response> {
  const outcome = readLoginOutcome(await readJsonObject(request), nowSeconds());
  return answer(await finishLogin(env, id, issuer, outcome));
}

/** `POST /admin/authorizations/ID/deny`: 200 `{redirect_to}` with `error=access_denied`. */
export async function denyAuthorization(env: Env, id: string, issuer: string): Promise<Response> {
  return answer(await finishLogin(env, id, issuer, undefined));
}

/**
 * Completes (with an outcome) or denies (without) a pending request. Shared by the admin API and
 * the development login page.
 */
export async function finishLogin(
  env: Env,
  id: string,
  issuer: string,
  outcome: LoginOutcome | undefined,
): Promise<LoginResult> {
  if (!isSid(id)) return { ok: false, reason: "not_found" };
  const grant = grantOf(env, id);
  return outcome === undefined ? grant.denyAuthorization(issuer) : grant.completeAuthorization(id, outcome, issuer);
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
  }
}

function grantOf(env: Env, sid: string) {
  return grantFor(env, readConfig(env), sid);
}

function notFound(): OAuthError {
  return new OAuthError("not_found", "No such pending authorization request.", 404);
}
