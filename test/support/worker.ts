/** Driving the Worker through its real fetch handler, inside workerd. */
import { exports } from "cloudflare:workers";

export const BASE = "https://baton.test";
export const ADMIN_TOKEN = "test-admin-token-0123456789abcdef";

/** Sends a request to the Worker. Redirects are returned, not followed, as a test wants them. */
export function call(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(new Request(BASE + path, { redirect: "manual", ...init }));
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
