/**
 * What the admin client tests share: the form of a client secret and of its id, a JSON answer
 * with the admin API's headers, and its 404 `not_found`.
 */
import { expect } from "vitest";
import { expectError } from "../http/support-token-endpoint";

export const SECRET = /^bsk_[A-Za-z0-9_-]{43}$/;
export const SECRET_ID = /^secret_[A-Za-z0-9_-]{16}$/;

/** Asserts a JSON answer of `status` with the no-store and nosniff headers; returns its body. */
export async function expectJson(response: Response, status: number): Promise<Record<string, unknown>> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get("Content-Type")).toBe("application/json");
  expect(response.headers.get("Cache-Control")).toBe("no-store");
  expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
  return JSON.parse(text);
}

/** Asserts a whole 404 `not_found` with `description`. */
export function expectNotFound(response: Response, description: string): Promise<void> {
  return expectError(response, { status: 404, error: "not_found", description });
}
