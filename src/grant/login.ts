/**
 * The grant's first phase: the host application answers the pending authorization request,
 * completing it (a code is issued) or denying it. The request itself arrives sealed from the
 * Worker; the object stores only the answer.
 *
 * @see RFC 6749 §4.1.2 and §4.1.2.1
 */
import { isSubsetOf } from "../scope";
import { hashAuthorizationCode, newAuthorizationCode } from "./authorization-code";
import {
  CODE_TTL,
  loginMoment,
  type IssuedCode,
  type LoginOutcome,
  type PendingAuthorization,
} from "./authorization-state";
import { answerDevice } from "./device";
import { redirectWith } from "./redirect";
import { openAnswer, sealAnswer, type SealedAnswer } from "./replay";
import type { LoginResult } from "./rpc";
import type { GrantStore } from "./store";

/**
 * The user logged in: issues the 60-second code and answers with the redirect to the client.
 * With `repeatKey` (32 bytes that only the very same approval reproduces), a repeat of that
 * approval while the code is unredeemed gets the same redirect again.
 */
export async function completeAuthorization(
  store: GrantStore,
  pending: PendingAuthorization,
  outcome: LoginOutcome,
  issuer: string,
  now: number,
  repeatKey?: Uint8Array,
): Promise<LoginResult> {
  if (now >= pending.expiresAt) return { ok: false, reason: "not_found" };
  if (pending.device) return deviceAnswer(store, pending, outcome, now, repeatKey);
  // Everything that awaits comes before the state is read, so that reading it and recording the
  // answer happen with no await in between: two answers cannot both win.
  const code = newAuthorizationCode(pending.sid);
  const redirectTo = redirectWith(pending.redirectUri, { code }, pending.state, issuer);
  const [codeHash, sealedRedirect] = await Promise.all([
    hashAuthorizationCode(code),
    repeatKey === undefined ? undefined : sealAnswer(repeatKey, pending.sid, redirectTo),
  ]);
  // An answered request is 409 whatever this answer says: the checks below are for a first one.
  if (store.wasAnswered()) return repeatedApproval(store, pending, now, repeatKey);
  // OIDC Core §3.1.2.1: with max_age, an older authentication must be redone; with
  // prompt=login, one from before this request must.
  const authTime = outcome.authTime ?? now;
  if (pending.maxAge !== undefined && now - authTime > pending.maxAge) return { ok: false, reason: "login_required" };
  if (pending.prompt?.includes("login") && authTime < pending.createdAt) return { ok: false, reason: "login_required" };
  const scope = outcome.scope ?? pending.scope;
  if (!isSubsetOf(scope, pending.scope)) return { ok: false, reason: "invalid_scope" };
  const organizationId = outcome.organizationId ?? pending.clientOrganizationId;
  const issued: IssuedCode = {
    sid: pending.sid,
    clientId: pending.clientId,
    redirectUri: pending.redirectUri,
    scope,
    ...(pending.resources !== undefined && { resources: pending.resources }),
    ...(pending.nonce !== undefined && { nonce: pending.nonce }),
    ...(pending.codeChallenge !== undefined && { codeChallenge: pending.codeChallenge }),
    ...(pending.dpopJkt !== undefined && { dpopJkt: pending.dpopJkt }),
    subject: outcome.subject,
    claims: outcome.claims,
    ...(outcome.accessTokenClaims !== undefined && { accessTokenClaims: outcome.accessTokenClaims }),
    ...(organizationId !== undefined && { organizationId }),
    authTime,
    loggedInAt: loginMoment(outcome.authTime),
    codeHash,
    expiresAt: now + CODE_TTL,
    ...(sealedRedirect !== undefined && { sealedRedirect }),
  };
  store.putAnswer(pending.expiresAt, issued);
  await store.wakeAt(issued.expiresAt);
  return { ok: true, redirectTo };
}

/** The user or the host application refused: the client learns `access_denied`. */
export async function denyAuthorization(
  store: GrantStore,
  pending: PendingAuthorization,
  issuer: string,
  now: number,
): Promise<LoginResult> {
  if (now >= pending.expiresAt) return { ok: false, reason: "not_found" };
  if (pending.device) return deviceAnswer(store, pending, undefined, now);
  if (store.wasAnswered()) return { ok: false, reason: "completed" };
  store.putAnswer(pending.expiresAt, undefined);
  // The marker goes when the request could no longer be answered anyway.
  await store.wakeAt(pending.expiresAt);
  const error = { error: "access_denied", error_description: "The user or the application denied the request." };
  return { ok: true, redirectTo: redirectWith(pending.redirectUri, error, pending.state, issuer) };
}

/**
 * A device's login answered: the device learns it at its next poll; the person, on Baton's page.
 * With `repeatKey`, a repeat of the same approval before the device's first successful poll
 * lands on the same page, as a repeated code-flow approval lands on the same redirect.
 */
async function deviceAnswer(
  store: GrantStore,
  pending: PendingAuthorization,
  outcome: LoginOutcome | undefined,
  now: number,
  repeatKey?: Uint8Array,
): Promise<LoginResult> {
  const result = outcome === undefined ? "denied" : "approved";
  const redirectTo = `${pending.redirectUri}?result=${result}`;
  // Sealed before the state is read, so that reading it and recording the answer happen with
  // no await in between (see completeAuthorization).
  const sealed = repeatKey === undefined ? undefined : await sealAnswer(repeatKey, pending.sid, redirectTo);
  const answer = answerDevice(store, outcome, now, sealed);
  if (answer === "answered") return { ok: true, redirectTo };
  // The device's first tokens replaced its request with the family: answered, as a redeemed
  // code's request is.
  if (answer === "not_found" && store.wasAnswered()) return { ok: false, reason: "completed" };
  if (answer === "completed") return sameApproval(repeatKey, pending.sid, store.device()?.sealedRedirect);
  return { ok: false, reason: answer };
}

function repeatedApproval(
  store: GrantStore,
  pending: PendingAuthorization,
  now: number,
  repeatKey: Uint8Array | undefined,
): Promise<LoginResult> {
  const issued = store.code();
  const live = issued !== undefined && now < issued.expiresAt;
  return sameApproval(repeatKey, pending.sid, live ? issued.sealedRedirect : undefined);
}

/**
 * The answer to a repeat of an answered request: the first answer's redirect again when
 * `repeatKey` opens `sealed` (only the key of the very same approval does), else 409.
 */
async function sameApproval(
  repeatKey: Uint8Array | undefined,
  sid: string,
  sealed: SealedAnswer | undefined,
): Promise<LoginResult> {
  if (repeatKey !== undefined && sealed !== undefined) {
    const redirectTo = await openAnswer(repeatKey, sid, sealed);
    if (redirectTo !== undefined) return { ok: true, redirectTo };
  }
  return { ok: false, reason: "completed" };
}
