/**
 * The authorization_code grant inside the grant's object: the code is good once, for its client,
 * its redirect URI and its PKCE verifier; a second redemption ends everything the first issued.
 *
 * @see RFC 6749 §4.1.2 and §4.1.3, RFC 7636 §4.6, RFC 9700 §2.1.1
 */
import type { Config } from "../config";
import { log } from "../log";
import { hashAuthorizationCode } from "./authorization-code";
import { narrowResources } from "../resources/resource-uri";
import { CODE_REUSE_WINDOW } from "./authorization-state";
import { openFamily } from "./family";
import { verifyS256 } from "./pkce";
import { isSubsetOf } from "../scope";
import type { RedeemCodeInput, TokenResult } from "./rpc";
import type { GrantStore } from "./store";

/** Redeems a code and starts the token family, or refuses without spending the code. */
export async function redeemCode(
  store: GrantStore,
  config: Config,
  input: RedeemCodeInput,
  now: number,
): Promise<TokenResult> {
  const codeHash = await hashAuthorizationCode(input.code);
  const issued = store.code();
  if (issued === undefined || issued.codeHash !== codeHash) {
    const family = store.family();
    // Past its reuse window a code is forgotten: a replay then is merely unknown, not theft.
    if (family?.codeHash !== codeHash || now - family.createdAt > CODE_REUSE_WINDOW) {
      return { ok: false, error: "invalid_grant", reason: "unknown" };
    }
    // Another client holding this code proves nothing about the family's owner: leave it be.
    if (family.clientId !== input.clientId) return { ok: false, error: "invalid_grant", reason: "wrong_client" };
    log(config, "warn", "authorization code reuse: grant revoked", { sid: family.sid, client_id: family.clientId });
    await store.revoke(family);
    return { ok: false, error: "invalid_grant", reason: "reused" };
  }
  // A refusal below leaves the code as it was: failing a check is not a redemption.
  if (issued.clientId !== input.clientId) return { ok: false, error: "invalid_grant", reason: "wrong_client" };
  if (now >= issued.expiresAt) {
    await store.end();
    return { ok: false, error: "invalid_grant", reason: "expired" };
  }
  if (issued.redirectUri !== input.redirectUri) return { ok: false, error: "invalid_grant", reason: "mismatch" };
  // The registration may have been narrowed while the login or the code waited.
  if (!input.redirectRegistered || !isSubsetOf(issued.scope, input.allowedScope)) {
    return { ok: false, error: "invalid_grant", reason: "mismatch" };
  }
  if (!(await pkceHolds(issued.codeChallenge, input.codeVerifier))) {
    return { ok: false, error: "invalid_grant", reason: "mismatch" };
  }
  // RFC 9449 §10: a code bound by dpop_jkt is redeemed only with a proof by that key.
  if (issued.dpopJkt !== undefined && input.dpop?.jkt !== issued.dpopJkt) {
    return { ok: false, error: "invalid_grant", reason: "dpop_key" };
  }
  // RFC 8707 §2.2: the token may be for some of the grant's resources, never for another.
  const audience = narrowResources(issued.resources ?? [], input.resources ?? []);
  if (audience === undefined) return { ok: false, error: "invalid_target", reason: "resource_not_granted" };
  return openFamily(
    store,
    config,
    {
      sid: issued.sid,
      clientId: issued.clientId,
      subject: issued.subject,
      scope: issued.scope,
      claims: issued.claims,
      ...(issued.accessTokenClaims !== undefined && { accessTokenClaims: issued.accessTokenClaims }),
      ...(issued.organizationId !== undefined && { organizationId: issued.organizationId }),
      authTime: issued.authTime,
      ...(issued.loggedInAt !== undefined && { loggedInAt: issued.loggedInAt }),
      ...(issued.nonce !== undefined && { nonce: issued.nonce }),
      issuer: input.issuer,
      codeHash,
      ...(issued.answeredUntil !== undefined && { answeredUntil: issued.answeredUntil }),
      ...(issued.resources !== undefined && { resources: issued.resources, audience }),
      refreshAllowed: input.refreshAllowed,
      ...(input.dpop !== undefined && { dpop: input.dpop, bindRefreshToKey: input.publicClient }),
      ...(input.idTokenAlg !== undefined && { idTokenAlg: input.idTokenAlg }),
    },
    now,
  );
}

async function pkceHolds(challenge: string | undefined, verifier: string | undefined): Promise<boolean> {
  // A verifier without a challenge is refused too: that is what a PKCE downgrade looks like.
  if (challenge === undefined) return verifier === undefined;
  return verifier !== undefined && verifyS256(verifier, challenge);
}
