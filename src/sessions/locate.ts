/**
 * Finding a user's sessions object from the subject, in the grants' jurisdiction when one is set:
 * a user's index holds session ids, which are as personal as the sessions.
 */
import type { Config } from "../config";
import type { Env } from "../env";

/** The stub of `subject`'s sessions object. */
export function userSessionsFor(env: Env, config: Pick<Config, "grantsJurisdiction">, subject: string) {
  const namespace =
    config.grantsJurisdiction === undefined
      ? env.USER_SESSIONS
      : env.USER_SESSIONS.jurisdiction(config.grantsJurisdiction);
  return namespace.get(namespace.idFromName(subject));
}
