/**
 * The token family: created from a login, rotated by the refresh_token grant, inspected by
 * introspection and userinfo, ended by reuse, revocation or lifetime.
 *
 * @see RFC 6749 §6, RFC 9700 §4.14.2, RFC 7662, RFC 7009
 */
import type { Config } from "../config";
import { log } from "../log";
import { formatScope, isSubsetOf } from "../scope";
import { holdsBoundKey, proofRefusal, remember } from "./dpop-binding";
import { familyTokenResponse } from "./family-tokens";
import { classifyPresentation } from "./presentation";
import { narrowResources } from "../resources/resource-uri";
import { serverKeys } from "../secrets/server-keys";
import { CODE_REUSE_WINDOW } from "./authorization-state";
import {
  familyMacKeys,
  mintRefreshToken,
  parseRefreshToken,
  verifyRefreshToken,
  type ParsedRefreshToken,
} from "./refresh-token";
import { openAnswer, sealAnswer } from "./replay";
import type { RefreshInput, RefreshTokenView, SessionView, StartFamilyInput, TokenResult } from "./rpc";
import { familyEndsAt, type FamilyLifetimes, type FamilyState } from "./state";
import type { GrantStore } from "./store";

/** The lifetimes of the configuration that decide when a family ends. */
export function lifetimesOf(config: Config): FamilyLifetimes {
  return {
    accessTokenTtl: config.accessTokenTtl,
    idleTtl: config.refreshIdleTtl,
    absoluteTtl: config.refreshAbsoluteTtl,
    retryWindow: config.refreshRetryWindow,
  };
}

/**
 * Creates the family and returns its first token response: `nonce` in the ID token, and a
 * refresh token when `offline_access` was granted (OIDC Core §11).
 */
export async function openFamily(
  store: GrantStore,
  config: Config,
  input: StartFamilyInput,
  now: number,
): Promise<TokenResult> {
  if (store.family() !== undefined) return { ok: false, error: "server_error", reason: "internal" };
  // OIDC Core §11 governs OpenID Connect requests only: a plain OAuth grant (an MCP client's,
  // say) gets its refresh token without offline_access.
  const offline =
    (input.refreshAllowed ?? true) && (input.scope.includes("offline_access") || !input.scope.includes("openid"));
  const resources = input.resources ?? [];
  const family: FamilyState = {
    sid: input.sid,
    issuer: input.issuer,
    clientId: input.clientId,
    subject: input.subject,
    scope: input.scope,
    ...(resources.length > 0 && { resources }),
    claims: input.claims,
    ...(input.accessTokenClaims !== undefined && { accessTokenClaims: input.accessTokenClaims }),
    ...(input.idTokenAlg !== undefined && { idTokenAlg: input.idTokenAlg }),
    ...(input.organizationId !== undefined && { organizationId: input.organizationId }),
    authTime: input.authTime,
    createdAt: now,
    lastUsedAt: now,
    generation: 0,
    ...(offline && { familyKey: crypto.getRandomValues(new Uint8Array(32)) }),
    // RFC 9449 §5: a public client's refresh tokens are bound to the key that proved the request.
    ...(offline && input.bindRefreshToKey && input.dpop !== undefined && { dpopJkt: input.dpop.jkt }),
    ...(input.dpop !== undefined && { dpopSeen: remember(undefined, input.dpop, now) }),
    ...(input.codeHash !== undefined && { codeHash: input.codeHash }),
    ...(input.answeredUntil !== undefined && { answeredUntil: input.answeredUntil }),
  };
  // The new keys are derived here, not through the store's cache: should this attempt fail, a
  // retry creates another family key, and cached keys would then mint tokens it cannot verify.
  const refreshToken = offline
    ? await mintRefreshToken((await familyMacKeys(await serverKeys(config), family.familyKey!))[0]!, family.sid, 0)
    : undefined;
  const body = await familyTokenResponse(
    config,
    family,
    {
      scope: family.scope,
      resources: input.audience ?? resources,
      refreshToken,
      nonce: input.nonce,
      dpopJkt: input.dpop?.jkt,
    },
    now,
  );
  const lifetimes = lifetimesOf(config);
  const endsBy = offline ? family.createdAt + lifetimes.absoluteTtl : familyEndsAt(family, lifetimes);
  // A stated auth_time counts from the start of its second, the latest it can be sure of.
  const loggedInAt = input.loggedInAt ?? input.authTime * 1000;
  if (!(await store.createFamily(family, endsBy, loggedInAt, now))) {
    // Its user was signed out everywhere after this login: the code dies with it.
    await store.end();
    return { ok: false, error: "invalid_grant", reason: "signed_out" };
  }
  // Set once: a family's end only ever moves later, and the alarm re-arms itself when it fires
  // early, so rotations need not touch it (one storage write fewer per refresh).
  await store.wakeAt(familyEndsAt(family, lifetimes));
  return { ok: true, body };
}

/**
 * The refresh_token grant: rotates the current token, replays the retained answer for the token
 * retired inside the retry window, and ends the family when a retired token is reused.
 */
export async function refreshFamily(
  store: GrantStore,
  config: Config,
  input: RefreshInput,
  now: number,
): Promise<TokenResult> {
  const family = store.family();
  const presented = await authenticToken(store, config, family, input.refreshToken);
  if (family === undefined || presented === undefined) return { ok: false, error: "invalid_grant", reason: "unknown" };
  // Without the bound key, a token proves nothing, not even reuse: whoever holds only the token
  // (a thief) can neither use it nor end the family by presenting it (RFC 9449 §5).
  if (family.clientId === input.clientId && !holdsBoundKey(family.dpopJkt, input.dpop)) {
    return { ok: false, error: "invalid_grant", reason: "dpop_key" };
  }
  const refusal = proofRefusal(family.dpopSeen, input.dpop, now);
  if (refusal !== undefined) return { ok: false, error: "invalid_dpop_proof", ...refusal };
  const verdict = classifyPresentation(family, presented.generation, input.clientId, now, lifetimesOf(config));
  switch (verdict.kind) {
    case "wrong_client":
      return { ok: false, error: "invalid_grant", reason: "wrong_client" };
    case "expired":
      await store.end(family);
      return { ok: false, error: "invalid_grant", reason: "expired" };
    case "reused":
      log(config, "warn", "refresh token reuse: family revoked", { sid: family.sid, client_id: family.clientId });
      await store.revoke(family);
      return { ok: false, error: "invalid_grant", reason: "reused" };
    case "retry": {
      // The first answer goes only to a proof by the key it was given to: its access token is
      // bound to that key. Another key is refused, and is no proof of theft.
      if (family.retained!.jkt !== input.dpop?.jkt) return { ok: false, error: "invalid_grant", reason: "dpop_key" };
      if (input.dpop !== undefined)
        store.putFamily({ ...family, dpopSeen: remember(family.dpopSeen, input.dpop, now) });
      const body = await openAnswer(presented.mac, family.sid, family.retained!.sealed);
      return body === undefined ? { ok: false, error: "server_error", reason: "internal" } : { ok: true, body };
    }
    case "current":
      return rotate(store, config, family, presented.mac, input, now);
  }
}

async function rotate(
  store: GrantStore,
  config: Config,
  family: FamilyState,
  presentedMac: Uint8Array,
  input: RefreshInput,
  now: number,
): Promise<TokenResult> {
  // A refused scope does not spend the token (RFC 6749 §6: the answer is invalid_scope).
  if (input.scope !== undefined && !isSubsetOf(input.scope, family.scope)) {
    return { ok: false, error: "invalid_scope", reason: "scope_exceeds_grant" };
  }
  // So does a resource the grant does not hold (RFC 8707 §2.2: invalid_target).
  const audience = narrowResources(family.resources ?? [], input.resources ?? []);
  if (audience === undefined) return { ok: false, error: "invalid_target", reason: "resource_not_granted" };
  const next = family.generation + 1;
  const refreshToken = await mintRefreshToken((await store.familyKeys(family, config))[0]!, family.sid, next);
  const body = await familyTokenResponse(
    config,
    family,
    { scope: input.scope ?? family.scope, resources: audience, refreshToken, dpopJkt: input.dpop?.jkt },
    now,
  );
  const sealed = await sealAnswer(presentedMac, family.sid, body);
  // One synchronous write after all the awaits; the object runs one operation at a time (see
  // Grant.serially), so the family can never have two successors. A code hash past its reuse
  // window is dropped in the same write, at no extra cost.
  const { codeHash, ...rest } = family;
  const rotated: FamilyState = {
    ...rest,
    ...(codeHash !== undefined && now - family.createdAt <= CODE_REUSE_WINDOW && { codeHash }),
    generation: next,
    lastUsedAt: now,
    retained: {
      generation: family.generation,
      rotatedAt: now,
      sealed,
      ...(input.dpop !== undefined && { jkt: input.dpop.jkt }),
    },
    ...(input.dpop !== undefined && { dpopSeen: remember(family.dpopSeen, input.dpop, now) }),
  };
  store.putFamily(rotated);
  return { ok: true, body };
}

/** The live family, for userinfo and introspection; `undefined` once it has ended. */
export function sessionOf(store: GrantStore, config: Config, now: number): SessionView | undefined {
  const family = store.family();
  if (family === undefined) return undefined;
  const endsAt = familyEndsAt(family, lifetimesOf(config));
  if (now >= endsAt) return undefined;
  return {
    clientId: family.clientId,
    subject: family.subject,
    scope: family.scope,
    claims: family.claims,
    ...(family.accessTokenClaims !== undefined && { accessTokenClaims: family.accessTokenClaims }),
    ...(family.organizationId !== undefined && { organizationId: family.organizationId }),
    createdAt: family.createdAt,
    lastUsedAt: family.lastUsedAt,
    endsAt,
    ...(family.familyKey !== undefined && { generation: family.generation }),
  };
}

/**
 * Introspects a refresh token for `clientId`: active only when it is the family's current token,
 * the family is live and the token is the caller's own. A retired token is merely inactive here:
 * introspecting never counts as reuse.
 */
export async function inspectRefreshToken(
  store: GrantStore,
  config: Config,
  token: string,
  clientId: string,
  now: number,
): Promise<RefreshTokenView | undefined> {
  const family = store.family();
  const presented = await authenticToken(store, config, family, token);
  if (family === undefined || presented === undefined) return undefined;
  if (family.clientId !== clientId || presented.generation !== family.generation) return undefined;
  const endsAt = familyEndsAt(family, lifetimesOf(config));
  if (now >= endsAt) return undefined;
  return {
    active: true,
    scope: formatScope(family.scope),
    client_id: family.clientId,
    sub: family.subject,
    exp: endsAt,
    token_type: "refresh_token",
    sid: family.sid,
  };
}

/**
 * Revokes the family when `token` is one of its refresh tokens (any generation) and belongs to
 * `clientId`; another client's token is left alone (RFC 7009 §2.1).
 */
export async function revokeWithRefreshToken(
  store: GrantStore,
  config: Config,
  token: string,
  clientId: string,
): Promise<void> {
  const family = store.family();
  const presented = await authenticToken(store, config, family, token);
  if (family !== undefined && presented !== undefined && family.clientId === clientId) await store.revoke(family);
}

/** The token taken apart, when it is one of this family's (its MAC verifies). */
async function authenticToken(
  store: GrantStore,
  config: Config,
  family: FamilyState | undefined,
  token: string,
): Promise<ParsedRefreshToken | undefined> {
  const parsed = parseRefreshToken(token);
  if (family?.familyKey === undefined || parsed === undefined || parsed.sid !== family.sid) return undefined;
  return (await verifyRefreshToken(await store.familyKeys(family, config), parsed)) ? parsed : undefined;
}
