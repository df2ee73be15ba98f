/**
 * `GET /`: what this service is, where its metadata and keys are, and how logins reach it.
 */
import type { Config } from "../config";
import { devLoginEnabled } from "./dev-login";
import { escapeHtml, htmlPage } from "./html";
import type { Endpoint } from "../http/endpoint";

/** The landing page of the service whose issuer is `issuer`. */
export function landingPage({ config, issuer }: Endpoint): Response {
  return htmlPage(
    "Baton",
    `<h1>Baton</h1>
<p>An OAuth 2.0 and OpenID Connect token service on Cloudflare Workers. Applications send their
users here to sign in and receive access, ID and refresh tokens; the host application owns the
login itself.</p>
<p>Issuer: <code>${escapeHtml(issuer)}</code></p>
<ul>
<li><a href="/.well-known/openid-configuration">OpenID Connect discovery document</a>
(also at <a href="/.well-known/oauth-authorization-server">/.well-known/oauth-authorization-server</a>)</li>
<li><a href="/oauth2/jwks">Public signing keys (JWKS)</a></li>
</ul>
${loginStatus(config)}`,
  );
}

function loginStatus(config: Config): string {
  if (devLoginEnabled(config)) {
    return `<p><strong>Development login: on.</strong> Sign-ins go to the built-in page at
<code>/dev/login</code>, which lets anyone in without a password. Never enable it in production.</p>`;
  }
  if (config.loginUrl !== undefined) {
    return `<p>Development login: off. Sign-ins go to the host application's login page.</p>`;
  }
  return `<p>Development login: off. No login page is configured yet: set <code>LOGIN_URL</code>,
or <code>DEV_LOGIN=true</code> for local development.</p>`;
}
