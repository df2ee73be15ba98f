/**
 * Finding a grant's Durable Object from its sid: the one place that knows how sids map to
 * objects, so that a jurisdiction setting applies to every grant alike.
 *
 * @see https://developers.cloudflare.com/durable-objects/reference/data-location/
 */
import { ConfigError, type Config } from "../config";
import type { Env } from "../env";

/** The stub of the grant `sid`, created in the configured jurisdiction when one is set. */
export function grantFor(env: Env, config: Pick<Config, "grantsJurisdiction">, sid: string) {
  return objectFor(env.GRANTS, config.grantsJurisdiction, sid);
}

function objectFor(namespace: Env["GRANTS"], jurisdiction: DurableObjectJurisdiction | undefined, sid: string) {
  if (jurisdiction === undefined) return namespace.get(namespace.idFromName(sid));
  let placed: Env["GRANTS"];
  try {
    placed = namespace.jurisdiction(jurisdiction);
  } catch {
    // Local workerd has no jurisdictions; creating the grant elsewhere would break the promise.
    throw new ConfigError("GRANTS_JURISDICTION is set but this runtime cannot place Durable Objects in a jurisdiction");
  }
  return placed.get(placed.idFromName(sid));
}
