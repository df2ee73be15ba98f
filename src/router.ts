/**
 * Routes → handlers, and the one place where errors become responses.
 */
import { Router, type IRequest } from "itty-router";
import { requireAdmin } from "./admin/authorize-admin";
import { completeAuthorization, denyAuthorization, readAuthorization } from "./admin/authorizations";
import { revokeGrant } from "./admin/grants";
import { addSecret, createClient, readClient, removeClient, removeSecret } from "./admin/clients";
import { handleAuthorize } from "./authorize/authorize-endpoint";
import { ConfigError, readConfig } from "./config";
import { handleDiscovery } from "./discovery/discovery-endpoint";
import type { Env } from "./env";
import { OAuthError, renderOAuthError, serverError } from "./errors";
import { jsonResponse } from "./http/json-response";
import { handleTokenRequest } from "./http/token-endpoint";
import type { RequestTrace } from "./http/trace";
import { handleIntrospect } from "./introspection/introspect-endpoint";
import { handleRevoke } from "./revocation/revoke-endpoint";
import { log } from "./log";
import { devLoginEnabled, showDevLogin, submitDevLogin } from "./pages/dev-login";
import { landingPage } from "./pages/landing";
import { loadSigningKeys } from "./tokens/keys";
import { publicJwks } from "./tokens/jwks";
import { handleUserinfo } from "./userinfo/userinfo-endpoint";

type Args = [Env, ExecutionContext, RequestTrace];

const router = Router<IRequest, Args>();

router
  .post("/oauth2/token", (request, env, _ctx, trace) =>
    handleTokenRequest(request, env, readConfig(env), new URL(request.url), trace),
  )
  .all("/oauth2/token", () => methodNotAllowed("POST"))
  .get("/oauth2/jwks", async (_request, env) => {
    const keys = await loadSigningKeys(readConfig(env).signingKeys);
    return jsonResponse(publicJwks(keys), 200, { "Cache-Control": "public, max-age=300" });
  })
  .all("/oauth2/jwks", () => methodNotAllowed("GET"))
  .post("/oauth2/revoke", (request, env, _ctx, trace) =>
    handleRevoke(request, env, readConfig(env), new URL(request.url), trace),
  )
  .all("/oauth2/revoke", () => methodNotAllowed("POST"))
  .post("/oauth2/introspection", (request, env, _ctx, trace) =>
    handleIntrospect(request, env, readConfig(env), new URL(request.url), trace),
  )
  .all("/oauth2/introspection", () => methodNotAllowed("POST"))
  .get("/oauth2/authorize", (request, env, _ctx, trace) =>
    handleAuthorize(env, readConfig(env), new URL(request.url), trace),
  )
  .all("/oauth2/authorize", () => methodNotAllowed("GET"))
  .get("/oauth2/userinfo", (request, env) => handleUserinfo(request, env, readConfig(env), new URL(request.url)))
  .post("/oauth2/userinfo", (request, env) => handleUserinfo(request, env, readConfig(env), new URL(request.url)))
  .all("/oauth2/userinfo", () => methodNotAllowed("GET, POST"))
  .get("/.well-known/openid-configuration", (request, env) => handleDiscovery(readConfig(env), new URL(request.url)))
  .all("/.well-known/openid-configuration", () => methodNotAllowed("GET"))
  .get("/.well-known/oauth-authorization-server", (request, env) =>
    handleDiscovery(readConfig(env), new URL(request.url)),
  )
  .all("/.well-known/oauth-authorization-server", () => methodNotAllowed("GET"))
  .get("/", (request, env) => landingPage(readConfig(env), issuerOf(request, env)))
  .all("/", () => methodNotAllowed("GET"))
  // The development login exists only while it is on; otherwise its path is unknown like any other.
  .all("/dev/login", (_request, env) => (devLoginEnabled(readConfig(env)) ? undefined : notFound()))
  .get("/dev/login", (request, env) => showDevLogin(env, new URL(request.url)))
  .post("/dev/login", (request, env) => submitDevLogin(request, env, issuerOf(request, env), new URL(request.url)))
  .all("/dev/login", () => methodNotAllowed("GET, POST"))
  // Every admin route is behind the admin token; without one configured the API does not exist.
  .all("/admin/*", async (request, env) => {
    const adminToken = readConfig(env).adminToken;
    if (adminToken === undefined) return notFound();
    await requireAdmin(request, adminToken);
    return undefined;
  })
  .post("/admin/clients", (request, env) => createClient(request, env))
  .get("/admin/clients/:clientId", (request, env) => readClient(env, request.params.clientId!))
  .delete("/admin/clients/:clientId", (request, env) => removeClient(env, request.params.clientId!))
  .post("/admin/clients/:clientId/secrets", (request, env) => addSecret(env, request.params.clientId!))
  .delete("/admin/clients/:clientId/secrets/:secretId", (request, env) =>
    removeSecret(env, request.params.clientId!, request.params.secretId!),
  )
  .get("/admin/authorizations/:id", (request, env) => readAuthorization(env, request.params.id!))
  .post("/admin/authorizations/:id/complete", (request, env) =>
    completeAuthorization(request, env, request.params.id!, issuerOf(request, env)),
  )
  .post("/admin/authorizations/:id/deny", (request, env) =>
    denyAuthorization(env, request.params.id!, issuerOf(request, env)),
  )
  .post("/admin/grants/:sid/revoke", (request, env) => revokeGrant(env, readConfig(env), request.params.sid!))
  .all("*", () => notFound());

/** The configured issuer, or the request's origin when none is configured (local use). */
function issuerOf(request: Request, env: Env): string {
  return readConfig(env).issuer ?? new URL(request.url).origin;
}

/**
 * Routes one request. Every refusal is an {@link OAuthError} rendered as RFC 6749 §5.2; anything
 * else is a bug or a configuration error, logged with the request id and answered with a bare
 * 500 `server_error`.
 */
export async function route(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  const requestId = crypto.randomUUID();
  const started = Date.now();
  const trace: RequestTrace = {};
  let response: Response;
  let outcome: string | undefined;
  try {
    response = (await router.fetch(request, env, ctx, trace)) as Response;
  } catch (error) {
    outcome = error instanceof OAuthError ? error.code : "server_error";
    response = errorResponse(error, requestId);
  }
  response.headers.set("X-Request-Id", requestId);
  // One line per request: identifiers and outcomes only, never a token, secret or claim.
  log(response.status >= 500 ? "error" : "info", "request", {
    request_id: requestId,
    method: request.method,
    route: (request as Partial<IRequest>).route ?? "unmatched",
    status: response.status,
    outcome: outcome ?? trace.outcome ?? "ok",
    grant: trace.grant,
    client_id: trace.clientId,
    duration_ms: Date.now() - started,
  });
  return response;
}

function errorResponse(error: unknown, requestId: string): Response {
  if (error instanceof OAuthError) return renderOAuthError(error);
  if (error instanceof ConfigError) {
    log("error", "configuration error", { request_id: requestId, detail: error.message });
  } else {
    log("error", "unhandled error", { request_id: requestId, detail: error instanceof Error ? error.name : "unknown" });
  }
  return renderOAuthError(serverError());
}

function methodNotAllowed(allow: string): never {
  throw new OAuthError("invalid_request", "This method is not allowed here.", 405, { Allow: allow });
}

function notFound(): never {
  throw new OAuthError("not_found", "There is nothing at this path.", 404);
}
