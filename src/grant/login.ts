/**
 * The grant's first phase: the authorization request waits for the host application, which
 * completes it (a code is issued) or denies it.
 *
 * @see RFC 6749 §4.1.2 and §4.1.2.1
 */
import { isSubsetOf } from "../scope";
import { hashAuthorizationCode, newAuthorizationCode } from "./authorization-code";
import {
  AUTHORIZATION_TTL,
  CODE_TTL,
  type IssuedCode,
  type LoginOutcome,
  type PendingAuthorization,
} from "./authorization-state";
import { redirectWith } from "./redirect";
import type { AuthorizationView, LoginResult } from "./rpc";
import type { GrantStore } from "./store";

/** Keeps a validated authorization request for 10 minutes. */
export async function beginAuthorization(
  store: GrantStore,
  request: Omit<PendingAuthorization, "createdAt" | "expiresAt">,
  now: number,
): Promise<void> {
  const pending: PendingAuthorization = { ...request, createdAt: now, expiresAt: now + AUTHORIZATION_TTL };
  store.putPending(pending);
  await store.wakeAt(pending.expiresAt);
}

/** The pending request for the host application's consent screen; `undefined` when none. */
export function describeAuthorization(store: GrantStore, now: number): AuthorizationView | undefined {
  const pending = livePending(store, now);
  if (pending === undefined) return undefined;
  return {
    client_id: pending.clientId,
    ...(pending.clientName !== undefined && { client_name: pending.clientName }),
    scope: pending.scope.join(" "),
    redirect_uri: pending.redirectUri,
    expires_at: pending.expiresAt,
  };
}

/** The user logged in: issues the 60-second code and answers with the redirect to the client. */
export async function completeAuthorization(
  store: GrantStore,
  sid: string,
  outcome: LoginOutcome,
  issuer: string,
  now: number,
): Promise<LoginResult> {
  // The code is made before the state is read, so that reading the pending request and
  // replacing it with the code happen with no await in between: two answers cannot both win.
  const code = newAuthorizationCode(sid);
  const codeHash = await hashAuthorizationCode(code);
  const pending = livePending(store, now);
  if (pending === undefined) return { ok: false, reason: store.wasAnswered() ? "completed" : "not_found" };
  const scope = outcome.scope ?? pending.scope;
  if (!isSubsetOf(scope, pending.scope)) return { ok: false, reason: "invalid_scope" };
  const organizationId = outcome.organizationId ?? pending.clientOrganizationId;
  const issued: IssuedCode = {
    sid,
    clientId: pending.clientId,
    redirectUri: pending.redirectUri,
    scope,
    ...(pending.nonce !== undefined && { nonce: pending.nonce }),
    ...(pending.codeChallenge !== undefined && { codeChallenge: pending.codeChallenge }),
    subject: outcome.subject,
    claims: outcome.claims,
    ...(organizationId !== undefined && { organizationId }),
    authTime: outcome.authTime ?? now,
    codeHash,
    expiresAt: now + CODE_TTL,
  };
  store.replacePendingWithCode(issued);
  await store.wakeAt(issued.expiresAt);
  return { ok: true, redirectTo: redirectWith(pending.redirectUri, { code }, pending.state, issuer) };
}

/** The user or the host application refused: the client learns `access_denied`. */
export function denyAuthorization(store: GrantStore, issuer: string, now: number): LoginResult {
  const pending = livePending(store, now);
  if (pending === undefined) return { ok: false, reason: store.wasAnswered() ? "completed" : "not_found" };
  // The alarm set for the request's expiry deletes the marker with everything else.
  store.replacePendingWithDenial();
  const error = { error: "access_denied", error_description: "The user or the application denied the request." };
  return { ok: true, redirectTo: redirectWith(pending.redirectUri, error, pending.state, issuer) };
}

function livePending(store: GrantStore, now: number): PendingAuthorization | undefined {
  const pending = store.pending();
  return pending !== undefined && now < pending.expiresAt ? pending : undefined;
}
