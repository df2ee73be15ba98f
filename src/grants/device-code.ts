/**
 * The device code grant: the Worker's side of a poll. The device code routes to its grant's
 * object (its sid checked first, so a made-up one touches nothing), which answers in one call.
 *
 * @see RFC 8628 §3.4, §3.5
 */
import { hashDeviceCode, sidOfDeviceCode } from "../device/codes";
import { isConfidential } from "../clients/record";
import { invalidRequest } from "../errors";
import { grantFor } from "../grant/locate";
import { verifySid } from "../grant/sid";
import { serverKeys } from "../secrets/server-keys";
import type { GrantContext } from "./context";
import { grantFailureError, invalidGrant } from "./failure";

/** Answers a device code poll with the token response, or throws the RFC 8628 §3.5 refusal. */
export async function deviceCodeGrant(context: GrantContext): Promise<string> {
  const { env, config, params, client, issuer } = context;
  const deviceCode = params.get("device_code") ?? invalidRequest("The device_code parameter is required.");
  const sid = sidOfDeviceCode(deviceCode);
  if (sid === undefined || !(await verifySid(await serverKeys(config), sid))) throw invalidGrant();
  const result = await grantFor(env, config, sid).pollDevice({
    deviceCodeHash: await hashDeviceCode(deviceCode),
    clientId: client.client_id,
    issuer,
    publicClient: !isConfidential(client),
    ...(context.dpop !== undefined && { dpop: context.dpop }),
  });
  if (!result.ok) throw grantFailureError(result);
  return result.body;
}
