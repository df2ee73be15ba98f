/**
 * `POST /oauth2/device_authorization`: a device that cannot show a browser asks to be authorized;
 * it gets a device code to poll with and a user code for a person to type at `/device`.
 *
 * @see RFC 8628 §3.1, §3.2
 */
import { admitFromSource, temporarilyUnavailable } from "../abuse/source-limit";
import { DEVICE_CODE_GRANT, isConfidential, kindOf } from "../clients/record";
import { nowSeconds } from "../clock";
import { NO_STORE_HEADERS, OAuthError, invalidRequest, serverError } from "../errors";
import { DEVICE_INTERVAL, DEVICE_TTL, type DeviceAuthorization } from "../grant/device";
import { grantFor } from "../grant/locate";
import { newSid } from "../grant/sid";
import { invalidTarget } from "../grants/failure";
import { readAuthenticatedRequest } from "../http/authenticated-request";
import type { Endpoint } from "../http/endpoint";
import { sourceAddress } from "../http/source-address";
import { acceptResources } from "../resources/resource-uri";
import { isSubsetOf, parseScope } from "../scope";
import { serverKeys } from "../secrets/server-keys";
import { displayUserCode, hashDeviceCode, newDeviceCode, newUserCode } from "./codes";
import { sealDeviceRequest } from "./hand-off";
import { userCodeFor } from "./locate";

const TOO_MANY = temporarilyUnavailable("Too many device authorizations from here; retry later.");

// 20^8 codes make a collision with a live one rare; a few draws make it vanish.
const USER_CODE_DRAWS = 4;

/** Handles a device authorization request. */
export async function handleDeviceAuthorization(endpoint: Endpoint): Promise<Response> {
  const { env, config, issuer } = endpoint;
  const { params, client } = await readAuthenticatedRequest(endpoint);
  if (!client.grant_types.includes(DEVICE_CODE_GRANT)) {
    throw new OAuthError("unauthorized_client", "The client is not allowed to use the device authorization grant.");
  }
  const allowed = parseScope(client.scope) ?? [];
  const asked = parseScope(params.get("scope") ?? "");
  if (asked === undefined) throw new OAuthError("invalid_scope", "The scope parameter is malformed.");
  const scope = asked.length > 0 ? asked : allowed;
  if (!isSubsetOf(scope, allowed))
    throw new OAuthError("invalid_scope", "The requested scope exceeds what the client may ask for.");
  const resources = params.resources.length === 0 ? [] : acceptResources(config.resources, params.resources);
  if (resources === undefined) throw invalidTarget();

  const now = nowSeconds();
  const sid = await newSid(await serverKeys(config));
  const kind = kindOf(client);
  const device: Omit<DeviceAuthorization, "deviceCodeHash" | "userCode"> = {
    sid,
    clientId: client.client_id,
    ...(client.client_name !== undefined && { clientName: client.client_name }),
    ...(client.organization_id !== undefined && { clientOrganizationId: client.organization_id }),
    clientKind: kind,
    ...(client.unconfirmed_until !== undefined && { clientEnds: client.unconfirmed_until }),
    // OIDC Core §11's rule on offline_access does not bind a device that asked for no openid.
    scope: client.grant_types.includes("refresh_token") ? scope : scope.filter((token) => token !== "offline_access"),
    ...(resources.length > 0 && { resources }),
    createdAt: now,
    expiresAt: now + DEVICE_TTL,
    refreshAllowed: client.grant_types.includes("refresh_token"),
    ...(client.id_token_signed_response_alg !== undefined && { idTokenAlg: client.id_token_signed_response_alg }),
    status: "pending",
  };
  // Resources that add up past what the login's id can carry: no login could ever answer this
  // request, so the device is told now instead of polling until it expires. The same id /device
  // will seal, measured once (an AES-GCM seal of a few hundred bytes).
  if ((await sealDeviceRequest(config, device, kind, issuer, now)) === undefined) {
    invalidRequest("The device authorization request is too large.");
  }

  // Only a request that would succeed is counted, and only for a client that anyone could have
  // made (a public one, whose id is no secret, or one registered by itself or its document):
  // otherwise anyone could keep codes alive by the thousand. An operator's confidential client
  // is never counted.
  if (!isConfidential(client) || kind !== "registered") {
    await admitFromSource(env.DEVICE_AUTHORIZATION_LIMITER, sourceAddress(endpoint.request), TOO_MANY);
  }
  const userCode = await claimUserCode(endpoint, sid, device.expiresAt, now);
  const deviceCode = newDeviceCode(sid);
  const begun = await grantFor(env, config, sid).beginDevice({
    ...device,
    deviceCodeHash: await hashDeviceCode(deviceCode),
    userCode,
  });
  // A fresh random sid already in use means the random source is broken.
  if (!begun) throw serverError();
  const shown = displayUserCode(userCode);
  const body = {
    device_code: deviceCode,
    user_code: shown,
    verification_uri: `${issuer}/device`,
    verification_uri_complete: `${issuer}/device?user_code=${shown}`,
    expires_in: DEVICE_TTL,
    interval: DEVICE_INTERVAL,
  };
  return new Response(JSON.stringify(body), { headers: NO_STORE_HEADERS });
}

async function claimUserCode({ env, config }: Endpoint, sid: string, expiresAt: number, now: number): Promise<string> {
  for (let draw = 0; draw < USER_CODE_DRAWS; draw++) {
    const code = newUserCode();
    if (await userCodeFor(env, config, code).claim(sid, expiresAt, now)) return code;
  }
  throw serverError();
}
