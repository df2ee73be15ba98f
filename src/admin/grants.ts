/**
 * `POST /admin/grants/SID/revoke`: ends one grant (signs one session out), at once, everywhere.
 */
import type { Config } from "../config";
import type { Env } from "../env";
import { OAuthError } from "../errors";
import { grantFor } from "../grant/locate";
import { isSid } from "../grant/refresh-token";
import { revocationUnavailable } from "../revocation/revoke-endpoint";

/** 204 for any well-formed sid, known or not (revoking twice is not an error); 404 otherwise. */
export async function revokeGrant(env: Env, config: Config, sid: string): Promise<Response> {
  if (!isSid(sid)) throw new OAuthError("not_found", "No such grant.", 404);
  if (!(await grantFor(env, config, sid).revoke())) throw revocationUnavailable();
  return new Response(null, { status: 204 });
}
