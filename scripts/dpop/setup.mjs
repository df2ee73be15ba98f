// What every part of the DPoP check shares: the user who signs in, the scope, Baton's metadata
// as oauth4webapi reads it, and the clients registered through the admin API. They are public
// (token_endpoint_auth_method none): with no secret, the proof is all that stands between a
// stolen token and its use, so the binding is checked with nothing else to lean on.
import { readFileSync } from "node:fs";
import * as oauth from "oauth4webapi";

export const SCOPE = "openid email profile offline_access";
export const USER = { subject: "user_dpop", email: "dpop@example.com", name: "Katherine Johnson" };
// Plain http is fine on 127.0.0.1; oauth4webapi insists on being told so.
export const INSECURE = { [oauth.allowInsecureRequests]: true };

/** Baton's metadata. Every key in the check is ES256: a server that does not list it cannot pass. */
export async function discover(baton) {
  const as = await oauth.processDiscoveryResponse(
    new URL(baton.url),
    await oauth.discoveryRequest(new URL(baton.url), INSECURE),
  );
  if (!as.dpop_signing_alg_values_supported?.includes("ES256")) {
    throw new Error("discovery does not list ES256 in dpop_signing_alg_values_supported");
  }
  return as;
}

/**
 * Registers a public client for the code and refresh grants. Exactly 201 counts: the answer's
 * status and body are what a failure line shows.
 */
export async function registerPublicClient(baton, name, redirectUri) {
  const response = await fetch(`${baton.url}/admin/clients`, {
    method: "POST",
    headers: { Authorization: `Bearer ${baton.adminToken}`, "Content-Type": "application/json" },
    body: JSON.stringify({
      client_name: name,
      redirect_uris: [redirectUri],
      grant_types: ["authorization_code", "refresh_token"],
      token_endpoint_auth_method: "none",
      scope: SCOPE,
    }),
  });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`POST /admin/clients: ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** The installed version of a package, so that a line names the library release it vouches for. */
export function installedVersion(name) {
  return JSON.parse(readFileSync(new URL(`../../node_modules/${name}/package.json`, import.meta.url), "utf8")).version;
}
