/**
 * Keeping a dynamic registration once a person has signed in with it. Open registration lets
 * anyone create a client, so one that no login ever completes for ends after a week (its KV
 * record expires, see clients/register.ts); the first completed login tells the client's
 * registry object to keep it.
 *
 * @see RFC 7591 §3 (open registration), the contract's storage promises
 */
import type { Config } from "../config";
import type { Env } from "../env";
import { IsolateMemo } from "../isolate-memo";
import { isMetadataDocumentUrl } from "../metadata-documents/document-url";

// Clients this isolate has already confirmed, so a busy client costs its registry one call per
// isolate, not one per login.
const confirmed = new IsolateMemo(1024);

/**
 * Confirms `clientId` with its registry object, which decides, one call at a time, whether a
 * dynamic registration still waiting is kept. `false` when that object says the client no longer
 * exists. `endsAt` is when the registration was to end, as the login's request saw it (the
 * object needs it when KV shows it nothing). A metadata document's URL has no registry object
 * and needs nothing.
 */
export async function confirmRegistration(
  env: Env,
  config: Config,
  clientId: string,
  endsAt: number | undefined,
): Promise<boolean> {
  if (confirmed.has(clientId) || isMetadataDocumentUrl(clientId, config.clientMetadataAllowLoopback)) return true;
  if (!(await env.CLIENT_REGISTRY.get(env.CLIENT_REGISTRY.idFromName(clientId)).confirm(clientId, endsAt)))
    return false;
  confirmed.add(clientId);
  return true;
}
