/**
 * The `resource` parameters of a token request, checked before anything else is done with them.
 *
 * @see RFC 8707 §2
 */
import { acceptResources } from "../resources/resource-uri";
import type { GrantContext } from "./context";
import { invalidTarget } from "./failure";

/**
 * The resources a token request names (none is an empty list), each a valid indicator and, with
 * `RESOURCES` configured, one of those.
 *
 * @throws OAuthError `invalid_target` otherwise.
 */
export function requestedResources({ config, params }: Pick<GrantContext, "config" | "params">): string[] {
  if (params.resources.length === 0) return [];
  return acceptResources(config.resources, params.resources) ?? throwInvalidTarget();
}

function throwInvalidTarget(): never {
  throw invalidTarget();
}
