/**
 * Configuration: every var and secret of the contract, read and validated once per isolate.
 * A malformed value is never replaced by a default: it is a {@link ConfigError}, logged, and a
 * 500 `server_error` to the caller.
 */
import { decodeBase64url } from "./encoding/base64url";
import type { Env } from "./env";
import { LOG_LEVELS, type LogLevel } from "./log";
import { normalizeResource } from "./resources/resource-uri";
import { isLoopbackHost } from "./uri/loopback";

/** Validated configuration. Durations are in seconds. */
export interface Config {
  /** `undefined` means "the request's origin", for loopback hosts only (see {@link issuerFor}). */
  issuer: string | undefined;
  /** The raw JWK Set; parsed and imported lazily by `tokens/keys.ts`, once per isolate. */
  signingKeys: string | undefined;
  /**
   * `TOKEN_SECRETS`, each checked to be at least 32 bytes of base64url; the first is used for
   * everything new, all are accepted. Imported lazily by `secrets/server-keys.ts`.
   */
  tokenSecrets: readonly string[] | undefined;
  /**
   * The admin bearer token, or why it cannot be used. A bad one disables the admin API only
   * (500 there), so that the OAuth endpoints keep serving.
   */
  adminToken: string | ConfigError | undefined;
  loginUrl: string | undefined;
  /**
   * `LOGOUT_URL`: the host application's page that RP-initiated logout sends the browser to
   * when the client names no `post_logout_redirect_uri`, so it can end its own session.
   */
  logoutUrl: string | undefined;
  devLogin: boolean;
  accessTokenTtl: number;
  idTokenTtl: number;
  refreshIdleTtl: number;
  refreshAbsoluteTtl: number;
  refreshRetryWindow: number;
  /** Where every grant's Durable Object is created; `undefined` means near its first user. */
  grantsJurisdiction: DurableObjectJurisdiction | undefined;
  /** The lowest level written to the log. */
  logLevel: LogLevel;
  /**
   * `RESOURCES`: the resource servers Baton issues access tokens for (RFC 8707), as configured;
   * `undefined` means any absolute `https` URI (or `http` on a loopback host).
   */
  resources: readonly string[] | undefined;
  /** `SCOPES`: the scopes supported beyond the standard ones, in the order given. */
  extraScopes: readonly string[];
  /** `DYNAMIC_REGISTRATION=open`: anyone may register a client (RFC 7591). */
  dynamicRegistration: boolean;
  /** `CLIENT_ID_METADATA_DOCUMENTS=true`: an `https` client_id names its metadata document. */
  clientMetadataDocuments: boolean;
  /** `CLIENT_METADATA_ALLOW_LOOPBACK=true`: documents may also live on `http://127.0.0.1:PORT`. */
  clientMetadataAllowLoopback: boolean;
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
    tokenSecrets: tokenSecrets(env),
    adminToken: adminToken(env),
    loginUrl: optionalUrl(env, "LOGIN_URL"),
    // Nothing is appended to LOGOUT_URL, so it may carry a query or fragment of its own.
    logoutUrl: optionalUrl(env, "LOGOUT_URL", true),
    devLogin: booleanFlag(env, "DEV_LOGIN"),
    accessTokenTtl: seconds(env, "ACCESS_TOKEN_TTL", 300, 1),
    idTokenTtl: seconds(env, "ID_TOKEN_TTL", 3600, 1),
    refreshIdleTtl: seconds(env, "REFRESH_IDLE_TTL", 1_209_600, 1),
    refreshAbsoluteTtl: seconds(env, "REFRESH_ABSOLUTE_TTL", 7_776_000, 1),
    refreshRetryWindow: seconds(env, "REFRESH_RETRY_WINDOW", 30, 0),
    grantsJurisdiction: jurisdiction(env),
    logLevel: logLevel(env),
    resources: resources(env),
    extraScopes: extraScopes(env),
    dynamicRegistration: dynamicRegistration(env),
    clientMetadataDocuments: booleanFlag(env, "CLIENT_ID_METADATA_DOCUMENTS"),
    clientMetadataAllowLoopback: booleanFlag(env, "CLIENT_METADATA_ALLOW_LOOPBACK"),
  };
  // Every endpoint is served from the root, so the issuer is an origin (RFC 8414 §2 also rules
  // out a query and a fragment).
  if (config.issuer !== undefined && new URL(config.issuer).origin !== config.issuer) {
    throw new ConfigError("ISSUER must be an origin such as https://auth.example.com, with no path or trailing slash");
  }
  cache.set(env, config);
  return config;
}

/**
 * The issuer of a request to `url`: the configured `ISSUER`, or, with none configured, the
 * request's own origin, but only on a loopback host. Anywhere else an issuer taken from the
 * `Host` header would let any caller choose the `iss` of discovery and of every token.
 *
 * @throws ConfigError when `ISSUER` is unset and the host is not loopback.
 * @see RFC 8414 §2, RFC 9207 §2.4
 */
export function issuerFor(config: Config, url: URL): string {
  if (config.issuer !== undefined) return config.issuer;
  if (isLoopbackHost(url.hostname)) return url.origin;
  throw new ConfigError("ISSUER is not set; without it only localhost, 127.0.0.1 and [::1] are served");
}

/** The configured token secrets. @throws ConfigError when `TOKEN_SECRETS` is not set. */
export function requireTokenSecrets(config: Pick<Config, "tokenSecrets">): readonly string[] {
  if (config.tokenSecrets === undefined) throw new ConfigError("TOKEN_SECRETS is not set");
  return config.tokenSecrets;
}

/** The settings among the bindings: every string-valued one (never a namespace or a limiter). */
type SettingName = { [K in keyof Env]-?: Env[K] extends string | undefined ? K : never }[keyof Env];

function optionalText(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

function optionalUrl(env: Env, name: SettingName, queryAllowed = false): string | undefined {
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
  if (!queryAllowed && (url.search !== "" || url.hash !== "")) {
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

/** The shortest admin token accepted: guessing one must be hopeless. */
const MIN_ADMIN_TOKEN_LENGTH = 32;
/** The shortest token secret accepted, in bytes (HMAC-SHA256 keys want 256 bits). */
const MIN_SECRET_BYTES = 32;

function adminToken(env: Env): string | ConfigError | undefined {
  const value = optionalText(env.ADMIN_TOKEN);
  if (value === undefined) return undefined;
  if (value.length < MIN_ADMIN_TOKEN_LENGTH) {
    return new ConfigError(`ADMIN_TOKEN must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters`);
  }
  // A bearer credential is one run of visible ASCII (RFC 6750 §2.1): a token holding a space,
  // a trailing newline or a non-ASCII letter could never be presented, so every admin request
  // would fail as a wrong token with nothing saying why.
  if (!/^[\x21-\x7e]+$/.test(value)) {
    return new ConfigError("ADMIN_TOKEN must be visible ASCII characters only, with no spaces or line breaks");
  }
  return value;
}

function tokenSecrets(env: Env): readonly string[] | undefined {
  const value = optionalText(env.TOKEN_SECRETS?.trim());
  if (value === undefined) return undefined;
  const secrets = value.split(/ +/);
  for (const secret of secrets) {
    const bytes = decodeBase64url(secret);
    if (bytes === undefined || bytes.length < MIN_SECRET_BYTES) {
      throw new ConfigError(
        `TOKEN_SECRETS must be space-separated secrets of at least ${MIN_SECRET_BYTES} random bytes each, in base64url`,
      );
    }
  }
  return secrets;
}

function resources(env: Env): readonly string[] | undefined {
  const value = optionalText(env.RESOURCES?.trim());
  if (value === undefined) return undefined;
  const list = value.split(/ +/);
  for (const uri of list) {
    if (normalizeResource(uri) === undefined) {
      throw new ConfigError(
        "RESOURCES must be space-separated absolute URIs (https, or http on a loopback host) without userinfo or a fragment, in RFC 3986 characters, spelled as a URL parser reads them",
      );
    }
  }
  return list;
}

// scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), RFC 6749 §3.3
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

function extraScopes(env: Env): readonly string[] {
  const value = optionalText(env.SCOPES?.trim());
  if (value === undefined) return [];
  const list = value.split(/ +/);
  if (!list.every((token) => SCOPE_TOKEN.test(token))) {
    throw new ConfigError("SCOPES must be space-separated scope tokens (RFC 6749 §3.3)");
  }
  return [...new Set(list)];
}

function dynamicRegistration(env: Env): boolean {
  const value = optionalText(env.DYNAMIC_REGISTRATION);
  if (value === undefined) return false;
  if (value !== "open") throw new ConfigError('DYNAMIC_REGISTRATION must be "open" or unset');
  return true;
}

function logLevel(env: Env): LogLevel {
  const value = optionalText(env.LOG_LEVEL);
  if (value === undefined) return "info";
  if (!LOG_LEVELS.includes(value as LogLevel))
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}`);
  return value as LogLevel;
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
