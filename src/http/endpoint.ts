/**
 * One request as every endpoint receives it: read once by the router, so that no handler parses
 * the URL or the configuration again.
 */
import type { Config } from "../config";
import type { Env } from "../env";
import type { RequestTrace } from "./trace";

/** A request with its bindings, validated configuration, URL and issuer. */
export interface Endpoint {
  request: Request;
  env: Env;
  config: Config;
  url: URL;
  /** The configured issuer, or the request's origin when none is configured (local use only). */
  issuer: string;
  trace: RequestTrace;
}
