/** Finding a user code's object, in the grants' jurisdiction when one is set. */
import type { Config } from "../config";
import type { Env } from "../env";

/** The stub of the object of `userCode` (in its stored form). */
export function userCodeFor(env: Env, config: Pick<Config, "grantsJurisdiction">, userCode: string) {
  const namespace =
    config.grantsJurisdiction === undefined ? env.USER_CODES : env.USER_CODES.jurisdiction(config.grantsJurisdiction);
  return namespace.get(namespace.idFromName(userCode));
}
