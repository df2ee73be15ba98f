/**
 * Every path answers as CONTRACT spells it, and only so: `/oauth2/token/` or `//oauth2/token` is
 * an unknown path (404), not the token endpoint without its CORS headers and with another DPoP
 * `htu`. A HEAD of a fixed document (discovery, JWKS, the landing page) is answered as its GET
 * would be, without the content (RFC 9110 §9.3.2); elsewhere a GET may end a session, take a user
 * code or check a DPoP proof's `htm`, so a HEAD there is 405.
 */
import { describe, expect, it } from "vitest";
import { call } from "../support/worker";
import { DESCRIPTION } from "./support-token-endpoint";

/** The headers that must not differ between a GET and its HEAD. */
const COMPARED = ["Content-Type", "Cache-Control", "Access-Control-Allow-Origin", "Allow"];

describe("HEAD", () => {
  it.each(["/.well-known/openid-configuration", "/.well-known/oauth-authorization-server", "/oauth2/jwks", "/"])(
    "answers HEAD %s as its GET, without the content",
    async (path) => {
      const [get, head] = await Promise.all([call(path), call(path, { method: "HEAD" })]);
      expect(head.status).toBe(get.status);
      expect(head.status).toBe(200);
      for (const name of COMPARED) expect(head.headers.get(name), name).toBe(get.headers.get(name));
      expect(head.headers.get("X-Request-Id")).toMatch(/^[0-9a-f-]{36}$/);
      expect(await head.text()).toBe("");
      expect((await get.text()).length).toBeGreaterThan(0);
    },
  );

  it("answers HEAD of a POST endpoint as its GET: 405 with Allow, without the content", async () => {
    const head = await call("/oauth2/token", { method: "HEAD" });
    expect(head.status).toBe(405);
    expect(head.headers.get("Allow")).toBe("POST");
    expect(await head.text()).toBe("");
  });

  it.each([
    ["/oauth2/userinfo", "GET, POST"],
    ["/oauth2/logout", "GET, POST"],
    ["/device", "GET"],
    ["/oauth2/authorize", "GET, POST"],
  ])("refuses HEAD %s, whose GET reads the request or changes state, with 405", async (path, allow) => {
    const head = await call(path, { method: "HEAD" });
    expect(head.status).toBe(405);
    expect(head.headers.get("Allow")).toBe(allow);
  });
});

describe("paths spelled otherwise", () => {
  it.each([
    ["POST", "/oauth2/token/"],
    ["POST", "//oauth2/token"],
    ["POST", "/oauth2//token"],
    ["GET", "/oauth2/jwks/"],
    ["GET", "/.well-known/openid-configuration/"],
    ["GET", "/oauth2/authorize/"],
    ["OPTIONS", "/oauth2/token/"],
  ])("answers %s %s with a JSON 404", async (method, path) => {
    const response = await call(path, { method });
    expect(response.status).toBe(404);
    expect(response.headers.get("Content-Type")).toBe("application/json");
    expect(await response.json()).toEqual({ error: "not_found", error_description: DESCRIPTION.nothingHere });
  });

  it("still serves the landing page at /", async () => {
    expect((await call("/")).status).toBe(200);
  });
});
