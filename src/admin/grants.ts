/**
 * `POST /admin/grants/SID/revoke`: ends one grant (signs one session out), at once, everywhere.
 */
import type { Config } from "../config";
import type { Env } from "../env";
import { OAuthError } from "../errors";
import { grantFor } from "../grant/locate";
import { verifySid } from "../grant/sid";
import { revocationUnavailable } from "../revocation/revoke-endpoint";
import { serverKeys } from "../secrets/server-keys";

/** 204 for any sid Baton made, live or not (revoking twice is not an error); 404 otherwise. */
export async function revokeGrant(env: Env, config: Config, sid: string): Promise<Response> {
  if (!(await verifySid(await serverKeys(config), sid))) throw new OAuthError("not_found", "No such grant.", 404);
  if (!(await grantFor(env, config, sid).revoke())) throw revocationUnavailable();
  return new Response(null, { status: 204 });
}
