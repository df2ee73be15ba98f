/** `GET /`: what Baton is, where its metadata and keys are, and how sign-ins reach it. */
import { describe, expect, it } from "vitest";
import { call } from "../support/worker";
import { expectPageHeaders, fetchWith, PAGE_CSP, pageBody } from "./page-support";

function landing(loginStatus: string): string {
  return `<h1>Baton</h1>
<p>An OAuth 2.0 and OpenID Connect token service on Cloudflare Workers. Applications send their
users here to sign in and receive access, ID and refresh tokens; the host application owns the
login itself.</p>
<p>Issuer: <code>https://baton.test</code></p>
<ul>
<li><a href="/.well-known/openid-configuration">OpenID Connect discovery document</a>
(also at <a href="/.well-known/oauth-authorization-server">/.well-known/oauth-authorization-server</a>)</li>
<li><a href="/oauth2/jwks">Public signing keys (JWKS)</a></li>
</ul>
${loginStatus}`;
}

describe("landing page", () => {
  it("says what Baton is and that no login page is configured when neither is set", async () => {
    // Explicitly off: a developer's .dev.vars may turn it on for the test bindings too.
    const response = await fetchWith({ DEV_LOGIN: "false" })("/");

    expectPageHeaders(response, 200);
    expect(response.headers.get("Content-Security-Policy")).toBe(PAGE_CSP);
    expect(await pageBody(response)).toBe(
      landing(`<p>Development login: off. No login page is configured yet: set <code>LOGIN_URL</code>,
or <code>DEV_LOGIN=true</code> for local development.</p>`),
    );
  });

  it("says when the development login is on, with its warning", async () => {
    const response = await fetchWith({ DEV_LOGIN: "true" })("/");

    expectPageHeaders(response, 200);
    expect(await pageBody(response)).toBe(
      landing(`<p><strong>Development login: on.</strong> Sign-ins go to the built-in page at
<code>/dev/login</code>, which lets anyone in without a password. Never enable it in production.</p>`),
    );
  });

  it("says the development login is off when LOGIN_URL takes precedence over DEV_LOGIN", async () => {
    const response = await fetchWith({ DEV_LOGIN: "true", LOGIN_URL: "https://host.example/login" })("/");

    expectPageHeaders(response, 200);
    expect(await pageBody(response)).toBe(
      landing(`<p>Development login: off. Sign-ins go to the host application's login page.</p>`),
    );
  });

  it("links only to paths the Worker serves", async () => {
    const body = await pageBody(await call("/"));
    const links = [...body.matchAll(/href="([^"]+)"/g)].map((match) => match[1]!);

    expect(links).toEqual([
      "/.well-known/openid-configuration",
      "/.well-known/oauth-authorization-server",
      "/oauth2/jwks",
    ]);
    for (const link of links) expect((await call(link)).status).toBe(200);
  });

  it("refuses POST with 405 and Allow: GET", async () => {
    const response = await call("/", { method: "POST" });

    expect(response.status).toBe(405);
    expect(response.headers.get("Allow")).toBe("GET");
    expect(await response.json()).toEqual({
      error: "invalid_request",
      error_description: "This method is not allowed here.",
    });
  });
});
