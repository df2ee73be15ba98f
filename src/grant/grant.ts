/**
 * The Durable Object of one authorization grant (its id is the `sid`). The grant's whole life
 * happens here, one change at a time: pending authorization → code issued → token family →
 * ended. Rotation is therefore atomic and one-time everywhere, with no shared hot spot: each
 * session is its own object. This class is the RPC surface; each phase has its own module.
 *
 * @see RFC 6749 §4.1 and §6, RFC 9700 §4.14.2, OIDC Core §12.2
 */
import { DurableObject } from "cloudflare:workers";
import { ConfigError, readConfig, type Config } from "../config";
import type { Env } from "../env";
import { errorName, log } from "../log";
import type { LoginOutcome, PendingAuthorization } from "./authorization-state";
import {
  inspectRefreshToken,
  lifetimesOf,
  openFamily,
  refreshFamily,
  revokeWithRefreshToken,
  sessionOf,
} from "./family";
import * as login from "./login";
import { redeemCode } from "./redemption";
import { proofRefusal, remember } from "./dpop-binding";
import {
  deviceLapsesAt,
  pollDevice,
  type DeviceAuthorization,
  type DevicePoll,
  type DevicePollResult,
  type PollClock,
} from "./device";
import type {
  DpopProofRef,
  LoginResult,
  RedeemCodeInput,
  RefreshInput,
  RefreshTokenView,
  SessionView,
  StartFamilyInput,
  TokenResult,
} from "./rpc";
import { familyEndsAt, type FamilyState } from "./state";
import { GrantStore } from "./store";
import { SessionIndex } from "../sessions/session-index";
import { nowSeconds } from "../clock";
import { sendLogoutNotice } from "../logout/back-channel";

export type * from "./rpc";

/** How long one change of a grant may take before the object is reset (as `blockConcurrencyWhile`'s limit). */
const TURN_LIMIT_MS = 30_000;

/** The Durable Object class behind the `GRANTS` binding. */
export class Grant extends DurableObject<Env> {
  // The device poll clock: memory only, so that a poll writes nothing (see grant/device.ts).
  private pollClock: PollClock | undefined;
  // The end of the line of operations that change this grant (see `exclusively`).
  private line: Promise<unknown> = Promise.resolve();
  private readonly store = new GrantStore(
    this.ctx.storage,
    () => readConfig(this.env),
    new SessionIndex(this.env),
    (family) => this.announceEnd(family),
  );

  /**
   * Whether the authorization request of this grant was already answered: a code's, or a
   * device's (approved or denied, kept in its device record until the device polls).
   */
  wasAnswered(): boolean {
    const device = this.store.device();
    return this.store.wasAnswered() || (device !== undefined && device.status !== "pending");
  }

  /**
   * The user logged in: issues the 60-second code and answers with the redirect to the client.
   * `repeatKey` lets the very same approval, repeated, land on the same redirect.
   */
  completeAuthorization(
    pending: PendingAuthorization,
    outcome: LoginOutcome,
    issuer: string,
    repeatKey?: Uint8Array,
  ): Promise<LoginResult> {
    // In turn, so that a repeated approval never finds the code of a redemption in flight.
    return this.exclusively(() =>
      login.completeAuthorization(this.store, pending, outcome, issuer, nowSeconds(), repeatKey),
    );
  }

  /** The user or the host application refused: the client learns `access_denied`. */
  denyAuthorization(pending: PendingAuthorization, issuer: string): Promise<LoginResult> {
    return this.exclusively(() => login.denyAuthorization(this.store, pending, issuer, nowSeconds()));
  }

  /**
   * Keeps a device authorization (RFC 8628) waiting for the person's login until its expiry, and
   * a while beyond, so that a late poll learns `expired_token` (see `DEVICE_EXPIRED_GRACE`).
   */
  async beginDevice(device: DeviceAuthorization): Promise<boolean> {
    if (this.store.device() !== undefined || this.store.wasAnswered()) return false;
    this.store.putDevice(device);
    await this.store.wakeAt(deviceLapsesAt(device));
    return true;
  }

  /** The device authorization still waiting for its person, for the `/device` page. */
  pendingDevice(): DeviceAuthorization | undefined {
    const device = this.store.device();
    return device?.status === "pending" && nowSeconds() < device.expiresAt ? device : undefined;
  }

  /** One poll of the device code grant; the first after the approval gets the tokens, once. */
  pollDevice(poll: DevicePoll): Promise<DevicePollResult> {
    return this.serially(async (config) => {
      const { result, clock } = await pollDevice(this.store, config, this.pollClock, poll, nowSeconds());
      this.pollClock = clock;
      return result;
    });
  }

  /** The authorization_code grant: redeems the code once and starts the token family. */
  redeemCode(input: RedeemCodeInput): Promise<TokenResult> {
    return this.serially((config) => redeemCode(this.store, config, input, nowSeconds()));
  }

  /** Creates the token family of a freshly authorized grant; returns its first token response. */
  startFamily(input: StartFamilyInput): Promise<TokenResult> {
    return this.serially((config) => openFamily(this.store, config, input, nowSeconds()));
  }

  /** The refresh_token grant: rotation, the retry window's replay, reuse detection. */
  refresh(input: RefreshInput): Promise<TokenResult> {
    return this.serially((config) => refreshFamily(this.store, config, input, nowSeconds()));
  }

  /** The live family, for userinfo and introspection; `undefined` once it has ended. */
  session(): SessionView | undefined {
    return sessionOf(this.store, readConfig(this.env), nowSeconds());
  }

  /**
   * The live family for a request that proved a DPoP key, remembering the proof: a proof seen
   * before, or one more than the family's memory of live proofs holds, is `"replayed"` (RFC 9449
   * §4.3, point 12).
   */
  async provenSession(proof: DpopProofRef): Promise<SessionView | "replayed" | undefined> {
    return this.exclusively(async () => {
      const now = nowSeconds();
      const family = this.store.family();
      if (family === undefined) return undefined;
      // Userinfo answers every proof it cannot take alike, a full memory included.
      if (proofRefusal(family.dpopSeen, proof, now) !== undefined) return "replayed";
      this.store.putFamily({ ...family, dpopSeen: remember(family.dpopSeen, proof, now) });
      return sessionOf(this.store, readConfig(this.env), now);
    });
  }

  /** Introspects one of this family's refresh tokens for `clientId` (RFC 7662). */
  async inspectRefreshToken(token: string, clientId: string): Promise<RefreshTokenView | undefined> {
    return inspectRefreshToken(this.store, readConfig(this.env), token, clientId, nowSeconds());
  }

  /**
   * Revokes the family with one of its refresh tokens, if `clientId` owns it (RFC 7009).
   * `false` only when storage failed, so that the caller does not claim a revocation.
   */
  async revokeWithRefreshToken(token: string, clientId: string): Promise<boolean> {
    const result = await this.serially(async () => {
      await revokeWithRefreshToken(this.store, readConfig(this.env), token, clientId);
      return { ok: true, body: "" };
    });
    return result.ok;
  }

  /**
   * Ends the grant at once: every token of the family stops working (RFC 7009 §2.1).
   * `false` only when storage failed.
   */
  async revoke(): Promise<boolean> {
    const result = await this.serially(async () => {
      await this.store.revoke();
      return { ok: true, body: "" };
    });
    return result.ok;
  }

  /**
   * Deletes the grant's storage when its phase has lapsed; nothing sweeps. It waits its turn
   * like any change, so it never ends a family in the middle of a rotation. A failure is thrown,
   * so that the runtime tries the alarm again.
   */
  override async alarm(): Promise<void> {
    return this.exclusively(async () => {
      const now = nowSeconds();
      const family = this.store.family();
      const device = this.store.device();
      const lapsesAt =
        family !== undefined
          ? familyEndsAt(family, lifetimesOf(readConfig(this.env)))
          : (this.store.code()?.expiresAt ??
            (device !== undefined ? deviceLapsesAt(device) : undefined) ??
            this.store.answeredUntil());
      if (lapsesAt === undefined || now >= lapsesAt) await this.store.end(family);
      else await this.store.wakeAt(lapsesAt);
    });
  }

  /**
   * Tells the family's client that someone ended it (back-channel logout), after the answer:
   * nothing the caller waits for, and nothing at all on the path of a refresh that succeeds.
   */
  private announceEnd(family: FamilyState): void {
    const ended = {
      issuer: family.issuer,
      clientId: family.clientId,
      subject: family.subject,
      sid: family.sid,
      ...(family.idTokenAlg !== undefined && { idTokenAlg: family.idTokenAlg }),
    };
    this.ctx.waitUntil(sendLogoutNotice(this.env, readConfig(this.env), ended));
  }

  /**
   * Runs `work` after every change of this grant that came before it has finished, and before
   * any that comes after starts: concurrent requests for the same grant are decided strictly one
   * after another, whatever their awaits let in meanwhile. A duplicate waits for the rotation in
   * flight and then finds the retained answer. A change that takes longer than
   * {@link TURN_LIMIT_MS} resets the object, as `blockConcurrencyWhile` would, so that one stuck
   * call cannot hold the grant's later changes and its alarm for ever.
   *
   * One promise in the object rather than `blockConcurrencyWhile`, which would also hold back
   * every read (a userinfo, say). A read needs no turn: the state it reads is the one before a
   * change's writes or after them, and a grant that is ending reads as ended. Run before and
   * after in turn with `npm run bench:parts`, the switch took a refresh's workerd CPU from
   * 1.22–1.25× its floor's to 1.17×.
   */
  private exclusively<T>(work: () => Promise<T>): Promise<T> {
    const turn = this.line.then(() => this.withinLimit(work));
    // The next change waits for this one to settle, whether it succeeded or not; the line keeps
    // nothing of its result (a token response, say).
    this.line = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  private async withinLimit<T>(work: () => Promise<T>): Promise<T> {
    const limit = setTimeout(() => this.ctx.abort("a change of this grant took longer than 30 s"), TURN_LIMIT_MS);
    try {
      return await work();
    } finally {
      clearTimeout(limit);
    }
  }

  /** {@link exclusively}, with failures turned into results, never a reset object. */
  private serially(work: (config: Config) => Promise<TokenResult>): Promise<TokenResult> {
    return this.exclusively(async () => {
      try {
        return await work(readConfig(this.env));
      } catch (error) {
        if (error instanceof ConfigError) {
          log(undefined, "error", "configuration error", { detail: error.message });
          return { ok: false, error: "server_error", reason: "configuration" } as const;
        }
        log(readConfig(this.env), "error", "grant operation failed", {
          detail: errorName(error),
        });
        return { ok: false, error: "server_error", reason: "internal" } as const;
      }
    });
  }
}
