/**
 * What a grant's object tells its user's sessions object: that a family starts (before its
 * first token is returned) and that it has ended. Nothing here runs on a refresh.
 */
import type { Config } from "../config";
import type { Env } from "../env";
import { errorName, log } from "../log";
import type { FamilyState } from "../grant/state";
import { userSessionsFor } from "./locate";

/** The user's index, as one grant's object sees it. */
export class SessionIndex {
  constructor(private readonly env: Env) {}

  /**
   * Records a family about to start; `false` when its user was signed out everywhere after the
   * login it comes from (at `loggedInAt`, ms), so the family must not start.
   */
  async add(config: Config, family: FamilyState, endsBy: number, loggedInAt: number, now: number): Promise<boolean> {
    const sessions = userSessionsFor(this.env, config, family.subject);
    return sessions.add({ sid: family.sid, clientId: family.clientId, endsBy }, loggedInAt, now);
  }

  /**
   * Forgets a family that has ended. A failure is logged and left: readers ask each grant
   * whether it is live, and an entry goes by itself once past its absolute end.
   */
  async remove(config: Config, family: FamilyState): Promise<void> {
    try {
      await userSessionsFor(this.env, config, family.subject).remove(family.sid);
    } catch (error) {
      log(config, "warn", "session index not updated", {
        sid: family.sid,
        detail: errorName(error),
      });
    }
  }
}
