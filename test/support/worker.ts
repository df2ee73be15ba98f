/** Driving the Worker through its real fetch handler, inside workerd. */
import { env, exports } from "cloudflare:workers";
import { createExecutionContext } from "cloudflare:test";
import worker from "../../src/index";
import type { Env } from "../../src/env";

export const BASE = "https://baton.test";
export const ADMIN_TOKEN = "test-admin-token-0123456789abcdef";

/** A confidential web client's metadata, for the admin API; tests change one member at a time. */
export const WEB_CLIENT_METADATA = {
  client_name: "App",
  redirect_uris: ["https://app.example/cb"],
  grant_types: ["authorization_code", "refresh_token"],
  token_endpoint_auth_method: "client_secret_basic",
  scope: "openid offline_access",
};

/**
 * Sends a request to the Worker. Redirects are returned, not followed, as a test wants them.
 * Each request comes from an address of its own (`CF-Connecting-IP`, as Cloudflare's edge sets
 * it) unless the test names one, so that failures counted per source never add up across tests.
 */
export function call(path: string, init: RequestInit = {}): Promise<Response> {
  const request = new Request(BASE + path, { redirect: "manual", ...init });
  if (!request.headers.has("CF-Connecting-IP")) request.headers.set("CF-Connecting-IP", randomSource());
  return exports.default.fetch(request);
}

/**
 * A `call` to the Worker with some settings changed (`DYNAMIC_REGISTRATION`, ...). The settings
 * are one object for every request it sends, so the Worker reads its configuration once, as it
 * does in production.
 */
export function callerWith(settings: Partial<Env>): (path: string, init?: RequestInit) => Promise<Response> {
  const changed = { ...env, ...settings };
  return (path, init = {}) => {
    const request = new Request(BASE + path, { redirect: "manual", ...init });
    if (!request.headers.has("CF-Connecting-IP")) request.headers.set("CF-Connecting-IP", randomSource());
    return worker.fetch(request, changed, createExecutionContext());
  };
}

/** An address from the range RFC 2544 sets aside for tests (198.18.0.0/15). */
function randomSource(): string {
  const [a, b] = crypto.getRandomValues(new Uint8Array(2));
  return `198.${18 + (a! & 1)}.${b}.${a}`;
}

/** Sends an admin API call with the admin bearer token. */
export function admin(method: string, path: string, body?: unknown): Promise<Response> {
  return call(path, {
    method,
    headers: {
      Authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(body !== undefined && { "Content-Type": "application/json" }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
}
