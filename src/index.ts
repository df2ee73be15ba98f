/**
 * Baton: an OAuth 2.0 / OpenID Connect token service on Cloudflare Workers.
 */
import type { Env } from "./env";
import { route } from "./router";

export { ClientRegistry } from "./clients/registry";
export { Grant } from "./grant/grant";
export { UserCodes } from "./device/user-codes";
export { UserSessions } from "./sessions/user-sessions";

export default {
  fetch: route,
} satisfies ExportedHandler<Env>;
