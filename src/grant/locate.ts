/**
 * Finding a grant's Durable Object from its sid: the one place that knows how sids map to
 * objects, so that a jurisdiction setting applies to every grant alike.
 *
 * @see https://developers.cloudflare.com/durable-objects/reference/data-location/
 */
import type { Config } from "../config";
import type { Env } from "../env";

/** The stub of the grant `sid`, created in the configured jurisdiction when one is set. */
export function grantFor(env: Env, config: Pick<Config, "grantsJurisdiction">, sid: string) {
  const namespace =
    config.grantsJurisdiction === undefined ? env.GRANTS : env.GRANTS.jurisdiction(config.grantsJurisdiction);
  return namespace.get(namespace.idFromName(sid));
}
