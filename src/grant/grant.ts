/**
 * The Durable Object of one authorization grant (its id is the `sid`). Every decision about the
 * grant's token family is made here, one at a time, so rotation is atomic and one-time
 * everywhere, with no shared hot spot: each session is its own object.
 *
 * @see RFC 6749 §6, RFC 9700 §4.14.2, OIDC Core §12.2
 */
import { DurableObject } from "cloudflare:workers";
import { ConfigError, readConfig, type Config } from "../config";
import type { Env } from "../env";
import { log } from "../log";
import { isSubsetOf } from "../scope";
import type { UserClaims } from "../tokens/claims";
import { loadSigningKeys } from "../tokens/keys";
import { buildTokenResponse } from "../tokens/token-response";
import { classifyPresentation } from "./presentation";
import { importFamilyKey, mintRefreshToken, parseRefreshToken, verifyRefreshToken } from "./refresh-token";
import { openAnswer, sealAnswer } from "./replay";
import { FAMILY_KEY, familyEndsAt, type FamilyLifetimes, type FamilyState } from "./state";

/** What the host application and the authorization request established about a grant. */
export interface StartFamilyInput {
  sid: string;
  clientId: string;
  subject: string;
  scope: string[];
  claims: UserClaims;
  organizationId?: string;
  authTime: number;
  nonce?: string;
  issuer: string;
}

/** A refresh request that has passed client authentication. */
export interface RefreshInput {
  refreshToken: string;
  clientId: string;
  /** The narrower scope asked for, already parsed; `undefined` means the grant's full scope. */
  scope?: string[];
  issuer: string;
}

/** Why a grant operation was refused; mapped to an RFC 6749 §5.2 error by the caller. */
export type GrantFailure =
  | { ok: false; error: "invalid_grant"; reason: "unknown" | "wrong_client" | "expired" | "reused" | "no_refresh" }
  | { ok: false; error: "invalid_scope"; reason: "scope_exceeds_grant" }
  | { ok: false; error: "server_error"; reason: "configuration" | "internal" };

/** A token response body, exactly as the client is to receive it, or a refusal. */
export type TokenResult = { ok: true; body: string } | GrantFailure;

/** The Durable Object class behind the `GRANTS` binding. */
export class Grant extends DurableObject<Env> {
  // The family key never changes for the life of the object: import it once, not per refresh.
  private hmacKey: CryptoKey | undefined;

  /**
   * Creates the token family of a freshly authorized grant and returns its first token
   * response (with `nonce` in the ID token and a refresh token when `offline_access` was
   * granted).
   */
  async startFamily(input: StartFamilyInput): Promise<TokenResult> {
    return this.serially(async (config) => {
      if (this.ctx.storage.kv.get<FamilyState>(FAMILY_KEY) !== undefined) {
        return { ok: false, error: "server_error", reason: "internal" };
      }
      const now = nowSeconds();
      const offline = input.scope.includes("offline_access");
      const state: FamilyState = {
        sid: input.sid,
        clientId: input.clientId,
        subject: input.subject,
        scope: input.scope,
        claims: input.claims,
        ...(input.organizationId !== undefined && { organizationId: input.organizationId }),
        authTime: input.authTime,
        createdAt: now,
        lastUsedAt: now,
        generation: 0,
        ...(offline && { familyKey: crypto.getRandomValues(new Uint8Array(32)) }),
      };
      const refreshToken = offline ? await mintRefreshToken(await this.keyOf(state), state.sid, 0) : undefined;
      const body = await this.tokenResponse(config, state, state.scope, input.issuer, now, refreshToken, input.nonce);
      this.ctx.storage.kv.put(FAMILY_KEY, state);
      await this.scheduleEnd(state, config);
      return { ok: true, body };
    });
  }

  /**
   * The refresh_token grant: rotates the current token, replays the answer for a token retired
   * inside the retry window, and revokes the family when a retired token is reused.
   */
  async refresh(input: RefreshInput): Promise<TokenResult> {
    return this.serially(async (config) => {
      const state = this.ctx.storage.kv.get<FamilyState>(FAMILY_KEY);
      const presented = parseRefreshToken(input.refreshToken);
      if (state === undefined || presented === undefined || state.familyKey === undefined) {
        return { ok: false, error: "invalid_grant", reason: "unknown" };
      }
      if (!(await verifyRefreshToken(await this.keyOf(state), presented))) {
        return { ok: false, error: "invalid_grant", reason: "unknown" };
      }
      const now = nowSeconds();
      const verdict = classifyPresentation(state, presented.generation, input.clientId, now, lifetimesOf(config));
      switch (verdict.kind) {
        case "wrong_client":
          return { ok: false, error: "invalid_grant", reason: "wrong_client" };
        case "expired":
          await this.end();
          return { ok: false, error: "invalid_grant", reason: "expired" };
        case "reused":
          log("warn", "refresh token reuse: family revoked", { sid: state.sid, client_id: state.clientId });
          await this.end();
          return { ok: false, error: "invalid_grant", reason: "reused" };
        case "retry": {
          const body = await openAnswer(presented.mac, state.sid, state.retained!.sealed);
          return body === undefined ? { ok: false, error: "server_error", reason: "internal" } : { ok: true, body };
        }
        case "current":
          return this.rotate(config, state, presented.mac, input, now);
      }
    });
  }

  /** Ends the grant at once: every token of the family stops working. @see RFC 7009 §2.1 */
  async revoke(): Promise<void> {
    await this.serially(async () => {
      await this.end();
      return { ok: true, body: "" };
    });
  }

  /** Deletes the grant's storage when its lifetime is over; nothing sweeps. */
  override async alarm(): Promise<void> {
    const state = this.ctx.storage.kv.get<FamilyState>(FAMILY_KEY);
    if (state === undefined) return;
    const config = readConfig(this.env);
    if (nowSeconds() >= familyEndsAt(state, lifetimesOf(config))) await this.end();
    else await this.scheduleEnd(state, config);
  }

  private async rotate(
    config: Config,
    state: FamilyState,
    presentedMac: Uint8Array,
    input: RefreshInput,
    now: number,
  ): Promise<TokenResult> {
    // A refused scope does not spend the token (RFC 6749 §6: the answer is invalid_scope).
    if (input.scope !== undefined && !isSubsetOf(input.scope, state.scope)) {
      return { ok: false, error: "invalid_scope", reason: "scope_exceeds_grant" };
    }
    const next = state.generation + 1;
    const refreshToken = await mintRefreshToken(await this.keyOf(state), state.sid, next);
    const body = await this.tokenResponse(config, state, input.scope ?? state.scope, input.issuer, now, refreshToken);
    const sealed = await sealAnswer(presentedMac, state.sid, body);
    // The state is written in one synchronous put after all the awaits: nothing else runs in
    // this object meanwhile (see serially), so the family can never have two successors.
    const updated: FamilyState = {
      ...state,
      generation: next,
      lastUsedAt: now,
      retained: { generation: state.generation, rotatedAt: now, sealed },
    };
    this.ctx.storage.kv.put(FAMILY_KEY, updated);
    await this.scheduleEnd(updated, config);
    return { ok: true, body };
  }

  private async tokenResponse(
    config: Config,
    state: FamilyState,
    scope: readonly string[],
    issuer: string,
    now: number,
    refreshToken: string | undefined,
    nonce?: string,
  ): Promise<string> {
    return buildTokenResponse({
      issuer,
      keys: await loadSigningKeys(config.signingKeys),
      subject: {
        clientId: state.clientId,
        subject: state.subject,
        sid: state.sid,
        claims: state.claims,
        authTime: state.authTime,
        ...(state.organizationId !== undefined && { organizationId: state.organizationId }),
      },
      scope,
      now,
      accessTokenTtl: config.accessTokenTtl,
      idTokenTtl: config.idTokenTtl,
      allowIdToken: true,
      ...(nonce !== undefined && { nonce }),
      ...(refreshToken !== undefined && { refreshToken }),
    });
  }

  /**
   * Runs `work` with every other event of this object held back, so concurrent requests for the
   * same family are decided strictly one after another: a duplicate waits for the rotation in
   * flight and then finds the retained answer. Failures become results, never a reset object.
   */
  private serially(work: (config: Config) => Promise<TokenResult>): Promise<TokenResult> {
    return this.ctx.blockConcurrencyWhile(async () => {
      try {
        return await work(readConfig(this.env));
      } catch (error) {
        if (error instanceof ConfigError) {
          log("error", "configuration error", { detail: error.message });
          return { ok: false, error: "server_error", reason: "configuration" } as const;
        }
        log("error", "grant operation failed", { detail: error instanceof Error ? error.name : "unknown" });
        return { ok: false, error: "server_error", reason: "internal" } as const;
      }
    });
  }

  private async keyOf(state: FamilyState): Promise<CryptoKey> {
    this.hmacKey ??= await importFamilyKey(state.familyKey!);
    return this.hmacKey;
  }

  private async scheduleEnd(state: FamilyState, config: Config): Promise<void> {
    await this.ctx.storage.setAlarm(familyEndsAt(state, lifetimesOf(config)) * 1000);
  }

  private async end(): Promise<void> {
    this.hmacKey = undefined;
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
  }
}

function lifetimesOf(config: Config): FamilyLifetimes {
  return {
    idleTtl: config.refreshIdleTtl,
    absoluteTtl: config.refreshAbsoluteTtl,
    retryWindow: config.refreshRetryWindow,
  };
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
