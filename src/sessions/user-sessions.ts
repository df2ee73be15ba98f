/**
 * The Durable Object of one user (one object per subject): the index of that user's grants, so
 * that an operator can list a user's sessions and sign the user out everywhere at once. It is
 * written when a family starts (before its first token is returned, so no live grant is ever
 * missing from it) and when a family ends; a refresh never touches it. The grants themselves
 * stay the truth about liveness: the index may hold a grant that has since lapsed, and readers
 * ask each grant.
 *
 * @see OpenID Connect Back-Channel Logout 1.0 §2.1 ("sign out everywhere" is a logout of every sid)
 */
import { DurableObject } from "cloudflare:workers";
import { nowMillis } from "../clock";
import type { Env } from "../env";

/** One indexed grant. */
export interface IndexedGrant {
  sid: string;
  clientId: string;
  /** When the grant ends at the latest (its absolute lifetime), in seconds. */
  endsBy: number;
}

const GRANTS_PREFIX = "grant:";
/**
 * When the user was signed out everywhere, in whole seconds: what every version reads first, so
 * that a user never signed out costs a login one row read, and an older version running beside
 * this one (a gradual deploy, a rollback) still reads a sign-out it can compare.
 */
const SIGNED_OUT_KEY = "signed_out_at";
/** The same moment in ms, written beside it since sign-outs are compared to the millisecond. */
const SIGNED_OUT_MS_KEY = "signed_out_at_ms";

/** The Durable Object class behind the `USER_SESSIONS` binding. */
export class UserSessions extends DurableObject<Env> {
  /**
   * Records a grant that is about to start. `false` when the user was signed out everywhere at
   * or after `loggedInAt` (ms): a login that happened before "sign out everywhere" must not
   * survive it, even when its code is redeemed a moment later, while one right after it must
   * (a script that signs a user out and in again within one second, say).
   */
  add(grant: IndexedGrant, loggedInAt: number, now: number): boolean {
    const signedOutAt = this.signedOutAt();
    if (signedOutAt !== undefined && loggedInAt <= signedOutAt) return false;
    // Grants past their absolute end are gone whether or not their end was recorded here: the
    // index never outgrows the user's live sessions for long.
    for (const stale of this.list().filter((entry) => entry.endsBy <= now)) this.remove(stale.sid);
    this.ctx.storage.kv.put(GRANTS_PREFIX + grant.sid, { clientId: grant.clientId, endsBy: grant.endsBy });
    return true;
  }

  /** Forgets a grant that has ended. */
  remove(sid: string): void {
    this.ctx.storage.kv.delete(GRANTS_PREFIX + sid);
  }

  /** The indexed grants, in key order. */
  list(): IndexedGrant[] {
    return [...this.ctx.storage.kv.list<{ clientId: string; endsBy: number }>({ prefix: GRANTS_PREFIX })].map(
      ([key, entry]) => ({ sid: key.slice(GRANTS_PREFIX.length), ...entry }),
    );
  }

  /**
   * Marks the user signed out everywhere as of now, read here, where the sign-out takes effect,
   * and hands back every indexed grant, for the caller to end; the index is emptied in the same
   * step.
   */
  signOutEverywhere(): IndexedGrant[] {
    const grants = this.list();
    for (const grant of grants) this.ctx.storage.kv.delete(GRANTS_PREFIX + grant.sid);
    const now = nowMillis();
    this.ctx.storage.kv.put(SIGNED_OUT_KEY, Math.floor(now / 1000));
    this.ctx.storage.kv.put(SIGNED_OUT_MS_KEY, now);
    return grants;
  }

  /**
   * When the user was last signed out everywhere (ms); `undefined` for never. One written only
   * in seconds (by an older version) counts to the end of its second.
   */
  private signedOutAt(): number | undefined {
    const seconds = this.ctx.storage.kv.get<number>(SIGNED_OUT_KEY);
    if (seconds === undefined) return undefined;
    const ms = this.ctx.storage.kv.get<number>(SIGNED_OUT_MS_KEY);
    // Only a millisecond value of that very second: an older version may have written a later one.
    return ms !== undefined && Math.floor(ms / 1000) === seconds ? ms : seconds * 1000 + 999;
  }
}
