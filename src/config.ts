/**
 * Configuration: every var and secret of the contract, read and validated once per isolate.
 * A malformed value is never replaced by a default: it is a {@link ConfigError}, logged, and a
 * 500 `server_error` to the caller.
 */
import type { Env } from "./env";

/** Validated configuration. Durations are in seconds. */
export interface Config {
  /** `undefined` means "the request's origin" (local use only). */
  issuer: string | undefined;
  /** The raw JWK Set; parsed and imported lazily by `tokens/keys.ts`, once per isolate. */
  signingKeys: string | undefined;
  adminToken: string | undefined;
  loginUrl: string | undefined;
  devLogin: boolean;
  accessTokenTtl: number;
  idTokenTtl: number;
  refreshIdleTtl: number;
  refreshAbsoluteTtl: number;
  refreshRetryWindow: number;
  /** Where every grant's Durable Object is created; `undefined` means near its first user. */
  grantsJurisdiction: DurableObjectJurisdiction | undefined;
}

/** A configuration value that cannot be used. Its message names the setting, never its value. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

const cache = new WeakMap<object, Config>();

/**
 * Reads `env` into a {@link Config}, caching the result per `env` object (one per isolate).
 *
 * @throws ConfigError when any value is malformed.
 */
export function readConfig(env: Env): Config {
  const cached = cache.get(env);
  if (cached) return cached;
  const config: Config = {
    issuer: optionalUrl(env, "ISSUER"),
    signingKeys: optionalText(env.SIGNING_KEYS),
    adminToken: optionalText(env.ADMIN_TOKEN),
    loginUrl: optionalUrl(env, "LOGIN_URL"),
    devLogin: booleanFlag(env, "DEV_LOGIN"),
    accessTokenTtl: seconds(env, "ACCESS_TOKEN_TTL", 300, 1),
    idTokenTtl: seconds(env, "ID_TOKEN_TTL", 3600, 1),
    refreshIdleTtl: seconds(env, "REFRESH_IDLE_TTL", 1_209_600, 1),
    refreshAbsoluteTtl: seconds(env, "REFRESH_ABSOLUTE_TTL", 7_776_000, 1),
    refreshRetryWindow: seconds(env, "REFRESH_RETRY_WINDOW", 30, 0),
    grantsJurisdiction: jurisdiction(env),
  };
  // Every endpoint is served from the root, so the issuer is an origin (RFC 8414 §2 also rules
  // out a query and a fragment).
  if (config.issuer !== undefined && new URL(config.issuer).origin !== config.issuer) {
    throw new ConfigError("ISSUER must be an origin such as https://auth.example.com, with no path or trailing slash");
  }
  cache.set(env, config);
  return config;
}

type SettingName = keyof Omit<Env, "CLIENTS" | "GRANTS" | "CLIENT_AUTH_LIMITER" | "CLIENT_REGISTRY">;

function optionalText(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

function optionalUrl(env: Env, name: SettingName): string | undefined {
  const value = optionalText(env[name]);
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} is not an absolute URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError(`${name} must be an http or https URL`);
  }
  if (url.search !== "" || url.hash !== "") {
    throw new ConfigError(`${name} must not have a query or fragment`);
  }
  return value;
}

function booleanFlag(env: Env, name: SettingName): boolean {
  const value = optionalText(env[name]);
  if (value === undefined || value === "false") return false;
  if (value === "true") return true;
  throw new ConfigError(`${name} must be "true" or "false"`);
}

function seconds(env: Env, name: SettingName, fallback: number, minimum: number): number {
  const value = optionalText(env[name]);
  if (value === undefined) return fallback;
  // Whole seconds only: "1e3", "30s" or " 30" are mistakes worth surfacing, not guessing at.
  if (!/^\d{1,10}$/.test(value)) throw new ConfigError(`${name} must be a whole number of seconds`);
  const parsed = Number(value);
  if (parsed < minimum) throw new ConfigError(`${name} must be at least ${minimum}`);
  return parsed;
}

const JURISDICTIONS: readonly DurableObjectJurisdiction[] = ["eu", "fedramp", "fedramp-high", "us"];

function jurisdiction(env: Env): DurableObjectJurisdiction | undefined {
  const value = optionalText(env.GRANTS_JURISDICTION);
  if (value === undefined) return undefined;
  if (!JURISDICTIONS.includes(value as DurableObjectJurisdiction)) {
    throw new ConfigError(`GRANTS_JURISDICTION must be one of ${JURISDICTIONS.join(", ")}`);
  }
  return value as DurableObjectJurisdiction;
}
