/**
 * An OAuthError is an answer, not a bug: it is built on every refusal (each early device poll,
 * each DPoP nonce challenge), so it captures no stack, and leaves the setting every other error
 * captures its stack by as it was.
 */
import { describe, expect, it } from "vitest";
import { OAuthError, renderOAuthError } from "../../src/errors";

function refuse(): never {
  throw new OAuthError("authorization_pending", "The user has not answered yet; poll again later.");
}

describe("OAuthError", () => {
  it("captures no stack frames, and other errors still do", () => {
    const before = Error.stackTraceLimit;
    let caught: unknown;
    try {
      refuse();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(OAuthError);
    expect(caught).toBeInstanceOf(Error);
    expect((caught as Error).stack ?? "").not.toMatch(/\n\s+at /);
    expect(Error.stackTraceLimit).toBe(before);
    expect(new Error("a bug").stack).toMatch(/\n\s+at /);
  });

  it("still renders as RFC 6749 §5.2 says, with its status and headers", async () => {
    const response = renderOAuthError(new OAuthError("slow_down", "Wait.", 429, { "Retry-After": "5" }));
    expect(response.status).toBe(429);
    expect(response.headers.get("Retry-After")).toBe("5");
    expect(await response.json()).toEqual({ error: "slow_down", error_description: "Wait." });
  });
});
