import type { ClientRegistry } from "./clients/registry";
import type { Grant } from "./grant/grant";
import type { UserCodes } from "./device/user-codes";
import type { UserSessions } from "./sessions/user-sessions";

/**
 * The Worker's bindings, as wrangler.toml and the secrets declare them. Every value is read and
 * validated once by {@link import("./config").readConfig}.
 */
export interface Env {
  /** Client records: `client:<client_id>` → JSON metadata and secret hashes. */
  CLIENTS: KVNamespace;
  /** One Durable Object per client: the authoritative record, serialising admin changes. */
  CLIENT_REGISTRY: DurableObjectNamespace<ClientRegistry>;
  /** One Durable Object per authorization grant (the `sid`). */
  GRANTS: DurableObjectNamespace<Grant>;
  /** One Durable Object per user (the `sub`): the index of that user's grants. */
  USER_SESSIONS: DurableObjectNamespace<UserSessions>;
  /** One Durable Object per live device user code (RFC 8628): the grant it stands for. */
  USER_CODES: DurableObjectNamespace<UserCodes>;
  /** Counts wrong user codes typed at `/device`, per source address; absent means no limit. */
  USER_CODE_LIMITER?: RateLimit;
  /** Counts failed client authentications per client_id and source address; absent means no limit. */
  CLIENT_AUTH_LIMITER?: RateLimit;
  /** Counts failed admin authentications per source address; absent means no limit. */
  ADMIN_AUTH_LIMITER?: RateLimit;
  /** Counts dynamic client registrations per source address; absent means no limit. */
  REGISTRATION_LIMITER?: RateLimit;
  /** Counts Client ID Metadata Document fetches per source address; absent means no limit. */
  DOCUMENT_FETCH_LIMITER?: RateLimit;
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
