/**
 * The device code grant: the Worker's side of a poll. The device code routes to its grant's
 * object (its sid checked first, so a made-up one touches nothing), which answers in one call.
 * A `resource` names the audience of the first access token, one of the grant's (RFC 8707 §2.2).
 *
 * @see RFC 8628 §3.4, §3.5, RFC 8707 §2
 */
import { hashDeviceCode, sidOfDeviceCode } from "../device/codes";
import { isConfidential } from "../clients/record";
import { invalidRequest } from "../errors";
import { grantFor } from "../grant/locate";
import { verifySid } from "../grant/sid";
import { serverKeys } from "../secrets/server-keys";
import type { GrantContext } from "./context";
import { grantFailureError, invalidGrant } from "./failure";
import { requestedResources } from "./resources";
import { parseScope } from "../scope";

/** Answers a device code poll with the token response, or throws the RFC 8628 §3.5 refusal. */
export async function deviceCodeGrant(context: GrantContext): Promise<string> {
  const { env, config, params, client, issuer } = context;
  const deviceCode = params.get("device_code") ?? invalidRequest("The device_code parameter is required.");
  // A resource that is no valid indicator is refused before any object is touched, as for a code.
  const resources = requestedResources(context);
  const sid = sidOfDeviceCode(deviceCode);
  if (sid === undefined || !(await verifySid(await serverKeys(config), sid))) throw invalidGrant();
  const result = await grantFor(env, config, sid).pollDevice({
    deviceCodeHash: await hashDeviceCode(deviceCode),
    clientId: client.client_id,
    issuer,
    publicClient: !isConfidential(client),
    allowedScope: parseScope(client.scope) ?? [],
    ...(resources.length > 0 && { resources }),
    ...(context.dpop !== undefined && { dpop: context.dpop }),
  });
  if (!result.ok) throw grantFailureError(result);
  return result.body;
}
