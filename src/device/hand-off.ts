/**
 * A device authorization as the login sees it: the pending request `/device` seals for the host
 * application, built in one place so that `/oauth2/device_authorization` can measure, before it
 * keeps anything, the very id `/device` will seal later.
 *
 * @see RFC 8628 §3.3
 */
import type { ClientKind } from "../clients/record";
import type { Config } from "../config";
import type { DeviceAuthorization } from "../grant/device";
import { sealPendingRequest } from "../authorize/pending-request";

/** What of a device authorization its login is told. */
type HandedOff = Pick<
  DeviceAuthorization,
  "sid" | "clientId" | "clientName" | "clientOrganizationId" | "clientEnds" | "scope" | "resources" | "expiresAt"
>;

/**
 * Seals `device`'s pending request for the login, as a client `kind`, answered at `issuer`'s
 * `/device`. `undefined` when the id would be too long to open again (many long resources).
 */
export function sealDeviceRequest(
  config: Config,
  device: HandedOff,
  kind: ClientKind,
  issuer: string,
  now: number,
): Promise<string | undefined> {
  return sealPendingRequest(
    config,
    {
      sid: device.sid,
      device: true,
      clientId: device.clientId,
      ...(device.clientName !== undefined && { clientName: device.clientName }),
      ...(device.clientOrganizationId !== undefined && { clientOrganizationId: device.clientOrganizationId }),
      clientKind: kind,
      ...(device.clientEnds !== undefined && { clientEnds: device.clientEnds }),
      redirectUri: `${issuer}/device`,
      scope: device.scope,
      ...(device.resources !== undefined && { resources: device.resources }),
    },
    now,
    // The hand-off ends with the device code: answered later, no poll could collect it.
    device.expiresAt,
  );
}
