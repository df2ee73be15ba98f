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
import type { Env } from "../env";

/** One indexed grant. */
export interface IndexedGrant {
  sid: string;
  clientId: string;
  /** When the grant ends at the latest (its absolute lifetime), in seconds. */
  endsBy: number;
}

const GRANTS_PREFIX = "grant:";
const SIGNED_OUT_KEY = "signed_out_at";

/** The Durable Object class behind the `USER_SESSIONS` binding. */
export class UserSessions extends DurableObject<Env> {
  /**
   * Records a grant that is about to start. `false` when the user was signed out everywhere at
   * or after `authTime`: a login that happened before "sign out everywhere" must not survive it,
   * even when its code is redeemed a moment later.
   */
  add(grant: IndexedGrant, authTime: number, now: number): boolean {
    const signedOutAt = this.ctx.storage.kv.get<number>(SIGNED_OUT_KEY);
    if (signedOutAt !== undefined && authTime <= signedOutAt) return false;
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
   * Marks the user signed out everywhere as of `now` and hands back every indexed grant, for the
   * caller to end; the index is emptied in the same step.
   */
  signOutEverywhere(now: number): IndexedGrant[] {
    const grants = this.list();
    for (const grant of grants) this.ctx.storage.kv.delete(GRANTS_PREFIX + grant.sid);
    this.ctx.storage.kv.put(SIGNED_OUT_KEY, now);
    return grants;
  }
}
