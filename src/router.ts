/**
 * Routes → handlers, and the one place where errors become responses.
 */
import { Router, type IRequest } from "itty-router";
import { requireAdmin } from "./admin/authorize-admin";
import { completeAuthorization, denyAuthorization, readAuthorization } from "./admin/authorizations";
import { revokeGrant } from "./admin/grants";
import { listUserGrants, revokeUserGrants } from "./admin/users";
import { listClients } from "./admin/client-list";
import { addSecret, createClient, readClient, removeClient, removeSecret, updateClient } from "./admin/clients";
import { handleAuthorize } from "./authorize/authorize-endpoint";
import { ConfigError, issuerFor, readConfig, type Config } from "./config";
import { handleDeviceAuthorization } from "./device/device-authorization-endpoint";
import { showDevicePage } from "./device/device-page";
import { handleDiscovery } from "./discovery/discovery-endpoint";
import type { Env } from "./env";
import { OAuthError, renderOAuthError, serverError } from "./errors";
import { BodyReadError } from "./http/body";
import { jsonResponse } from "./http/json-response";
import { decodePathParam } from "./http/path-param";
import { handleTokenRequest } from "./http/token-endpoint";
import { allowCrossOrigin, corsPreflight } from "./http/cors";
import type { Endpoint } from "./http/endpoint";
import type { RequestTrace } from "./http/trace";
import { handleIntrospect } from "./introspection/introspect-endpoint";
import { handleRegistration } from "./registration/register-endpoint";
import { handleLogout } from "./logout/logout-endpoint";
import { handleRevoke } from "./revocation/revoke-endpoint";
import { errorName, log } from "./log";
import { devLoginEnabled, showDevLogin, submitDevLogin } from "./pages/dev-login";
import { landingPage } from "./pages/landing";
import { loadSigningKeys } from "./tokens/keys";
import { publicJwks } from "./tokens/jwks";
import { handleUserinfo } from "./userinfo/userinfo-endpoint";

const router = Router<IRequest, [Endpoint]>();

router
  .post("/oauth2/token", (_request, endpoint) => handleTokenRequest(endpoint))
  .all("/oauth2/token", () => methodNotAllowed("POST"))
  .get("/oauth2/jwks", async (_request, { config }) => {
    const keys = await loadSigningKeys(config.signingKeys);
    return jsonResponse(publicJwks(keys), 200, { "Cache-Control": "public, max-age=300" });
  })
  .all("/oauth2/jwks", () => methodNotAllowed("GET"))
  .post("/oauth2/revoke", (_request, endpoint) => handleRevoke(endpoint))
  .all("/oauth2/revoke", () => methodNotAllowed("POST"))
  .post("/oauth2/introspection", (_request, endpoint) => handleIntrospect(endpoint))
  .all("/oauth2/introspection", () => methodNotAllowed("POST"))
  .get("/oauth2/authorize", (_request, endpoint) => handleAuthorize(endpoint))
  .post("/oauth2/authorize", (_request, endpoint) => handleAuthorize(endpoint))
  .all("/oauth2/authorize", () => methodNotAllowed("GET, POST"))
  .get("/oauth2/userinfo", (_request, endpoint) => handleUserinfo(endpoint))
  .post("/oauth2/userinfo", (_request, endpoint) => handleUserinfo(endpoint))
  .all("/oauth2/userinfo", () => methodNotAllowed("GET, POST"))
  .post("/oauth2/register", (_request, endpoint) => handleRegistration(endpoint))
  .all("/oauth2/register", () => methodNotAllowed("POST"))
  .get("/oauth2/logout", (_request, endpoint) => handleLogout(endpoint))
  .post("/oauth2/logout", (_request, endpoint) => handleLogout(endpoint))
  .all("/oauth2/logout", () => methodNotAllowed("GET, POST"))
  .get("/.well-known/openid-configuration", (_request, endpoint) => handleDiscovery(endpoint))
  .all("/.well-known/openid-configuration", () => methodNotAllowed("GET"))
  .get("/.well-known/oauth-authorization-server", (_request, endpoint) => handleDiscovery(endpoint))
  .all("/.well-known/oauth-authorization-server", () => methodNotAllowed("GET"))
  .post("/oauth2/device_authorization", (_request, endpoint) => handleDeviceAuthorization(endpoint))
  .all("/oauth2/device_authorization", () => methodNotAllowed("POST"))
  .get("/device", (_request, endpoint) => showDevicePage(endpoint))
  .all("/device", () => methodNotAllowed("GET"))
  .get("/", (_request, endpoint) => landingPage(endpoint))
  .all("/", () => methodNotAllowed("GET"))
  // The development login exists only while it is on; otherwise its path is unknown like any other.
  .all("/dev/login", (_request, { config }) => (devLoginEnabled(config) ? undefined : notFound()))
  .get("/dev/login", (_request, endpoint) => showDevLogin(endpoint))
  .post("/dev/login", (_request, endpoint) => submitDevLogin(endpoint))
  .all("/dev/login", () => methodNotAllowed("GET, POST"))
  // Every admin route is behind the admin token; without one configured the API does not exist.
  .all("/admin/*", async (request, { env, config }) => {
    if (config.adminToken === undefined) return notFound();
    // A token too short to be safe disables the admin API, and only it.
    if (config.adminToken instanceof ConfigError) throw config.adminToken;
    await requireAdmin(request, config.adminToken, env);
    return undefined;
  })
  .post("/admin/clients", (request, { env, config }) => createClient(request, env, config))
  .get("/admin/clients", (_request, { env, url }) => listClients(env, url))
  .all("/admin/clients", () => methodNotAllowed("GET, POST"))
  .patch("/admin/clients/:clientId", (request, { env, config }) =>
    updateClient(request, env, config, request.params.clientId!),
  )
  .get("/admin/clients/:clientId", ({ params }, { env }) => readClient(env, params.clientId!))
  .delete("/admin/clients/:clientId", ({ params }, { env }) => removeClient(env, params.clientId!))
  .all("/admin/clients/:clientId", () => methodNotAllowed("GET, PATCH, DELETE"))
  .post("/admin/clients/:clientId/secrets", ({ params }, { env }) => addSecret(env, params.clientId!))
  .all("/admin/clients/:clientId/secrets", () => methodNotAllowed("POST"))
  .delete("/admin/clients/:clientId/secrets/:secretId", ({ params }, { env }) =>
    removeSecret(env, params.clientId!, params.secretId!),
  )
  .all("/admin/clients/:clientId/secrets/:secretId", () => methodNotAllowed("DELETE"))
  .get("/admin/authorizations/:id", ({ params }, { env, config }) => readAuthorization(env, config, params.id!))
  .all("/admin/authorizations/:id", () => methodNotAllowed("GET"))
  .post("/admin/authorizations/:id/complete", (request, { env, config, issuer }) =>
    completeAuthorization(request, env, config, request.params.id!, issuer),
  )
  .post("/admin/authorizations/:id/deny", ({ params }, { env, config, issuer }) =>
    denyAuthorization(env, config, params.id!, issuer),
  )
  .all("/admin/authorizations/:id/:answer", ({ params }) =>
    params.answer === "complete" || params.answer === "deny" ? methodNotAllowed("POST") : notFound(),
  )
  .post("/admin/grants/:sid/revoke", ({ params }, { env, config }) => revokeGrant(env, config, params.sid!))
  .all("/admin/grants/:sid/revoke", () => methodNotAllowed("POST"))
  .get("/admin/users/:subject/grants", ({ params }, { env, config }) =>
    listUserGrants(env, config, decodePathParam(params.subject!)),
  )
  .all("/admin/users/:subject/grants", () => methodNotAllowed("GET"))
  .post("/admin/users/:subject/revoke", ({ params }, { env, config }) =>
    revokeUserGrants(env, config, decodePathParam(params.subject!)),
  )
  .all("/admin/users/:subject/revoke", () => methodNotAllowed("POST"))
  .all("*", () => notFound());

/** The paths whose GET is a fixed document, answered to HEAD as well. */
const HEAD_PATHS: ReadonlySet<string> = new Set([
  "/",
  "/oauth2/jwks",
  "/.well-known/openid-configuration",
  "/.well-known/oauth-authorization-server",
]);

/**
 * Routes one request. Every refusal is an {@link OAuthError} rendered as RFC 6749 §5.2; anything
 * else is a bug or a configuration error, logged with the request id and answered with a bare
 * 500 `server_error`.
 */
export async function route(request: Request, env: Env, _ctx?: ExecutionContext): Promise<Response> {
  const requestId = crypto.randomUUID();
  const started = Date.now();
  const trace: RequestTrace = {};
  const url = new URL(request.url);
  // RFC 9110 §9.3.2: a HEAD is answered as its GET would be, without the content; only where the
  // GET is a document that reads nothing of the request. A HEAD elsewhere is 405 as before: its
  // GET may end a session (logout), take a user code, or check a DPoP proof's htm.
  const head = request.method === "HEAD" && HEAD_PATHS.has(url.pathname);
  const routed = head ? new Request(request, { method: "GET" }) : request;
  let response: Response;
  let outcome: string | undefined;
  let config: Config | undefined;
  // Open registration exists only while it is on; otherwise its path is unknown like any other,
  // to a CORS preflight as well, and its 404 lets no other origin read it.
  let hidden = false;
  try {
    config = readConfig(env);
    const endpoint: Endpoint = { request: routed, env, config, url, issuer: issuerFor(config, url), trace };
    // The router would also match `/oauth2/token/` (and `//` for `/` and `/admin/*`): every path
    // is exactly as listed.
    if (url.pathname !== "/" && (url.pathname.endsWith("/") || url.pathname.includes("//"))) notFound();
    hidden = !config.dynamicRegistration && url.pathname === "/oauth2/register";
    if (hidden) notFound();
    response = corsPreflight(request, url) ?? ((await router.fetch(routed, endpoint)) as Response);
  } catch (error) {
    outcome = outcomeOf(error);
    response = errorResponse(error, requestId, config);
  }
  if (head) response = new Response(null, response);
  response.headers.set("X-Request-Id", requestId);
  if (!hidden) allowCrossOrigin(response, url);
  const matched = (routed as Partial<IRequest>).route ?? "unmatched";
  const said = outcome ?? trace.outcome ?? "ok";
  // One line per request: identifiers and outcomes only, never a token, secret or claim.
  log(config, response.status >= 500 ? "error" : "info", "request", {
    request_id: requestId,
    method: request.method,
    route: matched,
    status: response.status,
    outcome: said,
    grant: trace.grant,
    client_id: trace.clientId,
    duration_ms: Date.now() - started,
  });
  // Abuse is `warn` (LOG_LEVEL): a source refused for failing or asking too often is seen at that
  // level too. Its address is not written: the limit is about load, and an address is personal.
  if (response.status === 429) {
    log(config, "warn", "too many requests", {
      request_id: requestId,
      route: matched,
      outcome: said,
      client_id: trace.clientId,
    });
  }
  return response;
}

/** What the log line says of a refusal: its error code, or that the client went away. */
function outcomeOf(error: unknown): string {
  if (error instanceof BodyReadError) return "client_disconnected";
  return error instanceof OAuthError ? error.code : "server_error";
}

function errorResponse(error: unknown, requestId: string, config: Config | undefined): Response {
  if (error instanceof OAuthError) return renderOAuthError(error);
  if (error instanceof ConfigError) {
    log(config, "error", "configuration error", { request_id: requestId, detail: error.message });
  } else {
    log(config, "error", "unhandled error", {
      request_id: requestId,
      detail: errorName(error),
    });
  }
  return renderOAuthError(serverError());
}

function methodNotAllowed(allow: string): never {
  throw new OAuthError("invalid_request", "This method is not allowed here.", 405, { Allow: allow });
}

function notFound(): never {
  throw new OAuthError("not_found", "There is nothing at this path.", 404);
}
