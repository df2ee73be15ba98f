/**
 * What every grant handler receives: the authenticated client, the request's parameters and the
 * pieces of configuration it needs.
 */
import type { ClientRecord } from "../clients/record";
import type { Config } from "../config";
import type { Env } from "../env";
import type { Params } from "../http/params";
import type { DpopProofRef } from "../grant/rpc";

/** The input of one grant, after the request's shape and the client have been checked. */
export interface GrantContext {
  env: Env;
  config: Config;
  client: ClientRecord;
  params: Params;
  /** The configured issuer, or the request's origin when none is configured. */
  issuer: string;
  /** The request's checked DPoP proof (RFC 9449), when it carried one. */
  dpop?: DpopProofRef;
}
