/**
 * The JWK Set server of jwks-server-setup.mjs, as the tests inside workerd reach it: over real
 * HTTP on 127.0.0.1.
 */
import { inject } from "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** The port of the JWK Set server on 127.0.0.1. */
    jwksServerPort: number;
  }
}

/** The URL the server answers `name`'s set at. */
export function jwksUrl(name: string): string {
  return `http://127.0.0.1:${inject("jwksServerPort")}/jwks/${name}`;
}

/** Serves `body` (a value, serialised as JSON, or raw text) at {@link jwksUrl}(name). */
export async function serveJwks(name: string, body: unknown, status = 200): Promise<void> {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const response = await fetch(`${jwksUrl(name)}?status=${status}`, { method: "PUT", body: text });
  if (response.status !== 204) throw new Error(`the JWK Set server answered ${response.status}`);
}

/** How many times `name`'s set has been fetched. */
export async function jwksFetches(name: string): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${inject("jwksServerPort")}/fetches/${name}`);
  return response.json<number>();
}
