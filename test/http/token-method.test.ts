import { describe, expect, it } from "vitest";
import { call } from "../support/worker";
import { DESCRIPTION, expectError } from "./support-token-endpoint";

describe("token endpoint methods", () => {
  it.each(["GET", "PUT", "DELETE", "PATCH", "OPTIONS"])("refuses %s with 405 and Allow: POST", async (method) => {
    const response = await call("/oauth2/token", { method });
    await expectError(response, {
      status: 405,
      error: "invalid_request",
      description: DESCRIPTION.postOnly,
      headers: { Allow: "POST" },
    });
  });

  it("refuses GET even when the query string holds a complete token request", async () => {
    const response = await call("/oauth2/token?grant_type=refresh_token&refresh_token=rt_x&client_id=c");
    await expectError(response, {
      status: 405,
      error: "invalid_request",
      description: DESCRIPTION.postOnly,
      headers: { Allow: "POST" },
    });
  });
});

describe("unknown paths", () => {
  it.each([
    ["GET", "/nothing"],
    ["POST", "/oauth2/nothing"],
    ["GET", "/oauth2/token/extra"],
    ["DELETE", "/.well-known/nothing"],
  ])("answers %s %s with a JSON 404", async (method, path) => {
    const response = await call(path, { method });
    expect(response.status).toBe(404);
    expect(response.headers.get("Content-Type")).toBe("application/json");
    expect(await response.json()).toEqual({ error: "not_found", error_description: DESCRIPTION.nothingHere });
  });
});
