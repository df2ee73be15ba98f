/**
 * What the Worker is given: wrangler.toml's bindings, as `wrangler types` generates them into
 * worker-configuration.d.ts beside this file (`npm run types` after changing wrangler.toml; the
 * type-check fails while it is stale), and the settings.
 *
 * `--env-file /dev/null` keeps a developer's .dev.vars out of the generated file, and the file is
 * not at wrangler's default path, where `wrangler dev` would compare it with types that include
 * .dev.vars and call it out of date.
 *
 * The settings are plain strings, most of them secrets or vars an operator may leave unset,
 * which wrangler.toml cannot declare; CONTRACT.md's configuration names them, and
 * {@link import("./config").readConfig} reads and validates each once. The rate limiters are
 * optional here although wrangler.toml binds them all: an operator who removes one turns that
 * limit off (absent means no limit), and every use treats it so.
 */
export interface Env extends Omit<WranglerEnv, LimiterName>, Partial<Pick<WranglerEnv, LimiterName>> {
  ISSUER?: string;
  SIGNING_KEYS?: string;
  TOKEN_SECRETS?: string;
  ADMIN_TOKEN?: string;
  LOGIN_URL?: string;
  LOGOUT_URL?: string;
  DEV_LOGIN?: string;
  ACCESS_TOKEN_TTL?: string;
  ID_TOKEN_TTL?: string;
  REFRESH_IDLE_TTL?: string;
  REFRESH_ABSOLUTE_TTL?: string;
  REFRESH_RETRY_WINDOW?: string;
  GRANTS_JURISDICTION?: string;
  LOG_LEVEL?: string;
  RESOURCES?: string;
  SCOPES?: string;
  DYNAMIC_REGISTRATION?: string;
  CLIENT_ID_METADATA_DOCUMENTS?: string;
  CLIENT_METADATA_ALLOW_LOOPBACK?: string;
}

/** The rate limiting bindings (wrangler.toml's `[[ratelimits]]`). */
type LimiterName =
  | "USER_CODE_LIMITER"
  | "USER_CODE_NETWORK_LIMITER"
  | "CLIENT_AUTH_LIMITER"
  | "ADMIN_AUTH_LIMITER"
  | "REGISTRATION_LIMITER"
  | "DOCUMENT_FETCH_LIMITER"
  | "DEVICE_AUTHORIZATION_LIMITER";
