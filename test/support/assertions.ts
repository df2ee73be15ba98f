/** Assertions on whole error answers, shared by the suites. */
import { expect } from "vitest";

/** The body of every `invalid_grant` answer (RFC 6749 §5.2). */
export const INVALID_GRANT = {
  error: "invalid_grant",
  error_description: "The grant is invalid, expired, revoked, or was issued to another client.",
};

/** Asserts a whole 400 `invalid_grant`: status, headers and body. */
export async function expectInvalidGrant(response: Response): Promise<void> {
  expect(response.status).toBe(400);
  expect(response.headers.get("Content-Type")).toBe("application/json");
  expect(response.headers.get("Cache-Control")).toBe("no-store");
  expect(response.headers.get("Pragma")).toBe("no-cache");
  expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
  expect(await response.json()).toEqual(INVALID_GRANT);
}
