/**
 * `GET` and `POST /oauth2/logout`: RP-initiated logout. A client sends the browser here with the
 * ID token of the session to end (`id_token_hint`); Baton ends that grant, so that every token of
 * it stops working, and sends the browser back to the client's registered
 * `post_logout_redirect_uri` (with `state`), or else to the host application's `LOGOUT_URL`, or
 * else shows that the user is signed out.
 *
 * Nothing is revoked without a verified hint, and nothing is redirected to an address the client
 * did not register. A request without a hint is asked of the user first (§2: the OP MUST ask);
 * with no session it could name, their answer only moves the browser on.
 *
 * `LOGOUT_URL` receives nothing in its query: `state` belongs to the client and goes back only to
 * its own `post_logout_redirect_uri` (§3), and anything else would be unauthenticated (anyone can
 * link there) and spread identifiers into logs and histories. The host application knows its
 * user by its own session.
 *
 * @see OpenID Connect RP-Initiated Logout 1.0 §2 (request), §3 (redirection), §4 (validation)
 */
import type { ClientRecord } from "../clients/record";
import { resolveClient } from "../clients/resolve";
import type { Config } from "../config";
import { grantFor } from "../grant/locate";
import { verifySid } from "../grant/sid";
import type { Endpoint } from "../http/endpoint";
import { sourceAddress } from "../http/source-address";
import { busyPage, isBusy } from "../pages/busy-page";
import { serverKeys } from "../secrets/server-keys";
import { loadSigningKeys } from "../tokens/keys";
import { verifyIdToken, type VerifiedIdToken } from "../tokens/verify-id-token";
import { confirmationPage, refusalPage, signedOutPage, unavailablePage } from "./logout-pages";
import { LogoutRefusal, readLogoutRequest, refuse, type LogoutRequest } from "./logout-request";

/** Handles a logout request; every refusal is a page, never a redirect. */
export async function handleLogout(endpoint: Endpoint): Promise<Response> {
  try {
    return await logout(endpoint);
  } catch (error) {
    if (isBusy(error)) {
      endpoint.trace.outcome = error.code;
      return busyPage(error);
    }
    if (!(error instanceof LogoutRefusal)) throw error;
    endpoint.trace.outcome = error.outcome;
    return refusalPage(error.reason, error.status);
  }
}

async function logout(endpoint: Endpoint): Promise<Response> {
  const { request, env, config, url, issuer, trace } = endpoint;
  const asked = await readLogoutRequest(request, url);
  const hint = asked.idTokenHint === undefined ? undefined : await verifyHint(config, issuer, asked.idTokenHint);
  // §2: with both, the client must be the one the ID token was issued to.
  if (hint !== undefined && asked.clientId !== undefined && asked.clientId !== hint.aud) {
    refuse("invalid_request", "The client_id is not the client the id_token_hint was issued to.");
  }
  const clientId = hint?.aud ?? asked.clientId;
  // Only a bare client_id is the asker's choice; a hint's audience is a client Baton issued to.
  const source = hint === undefined ? sourceAddress(request) : undefined;
  const client = clientId === undefined ? undefined : await resolveClient(env, config, clientId, source);
  if (client !== undefined) trace.clientId = client.client_id;
  // A hint stands on its own (its client may since have been deleted); a bare client_id must name one.
  if (hint === undefined && asked.clientId !== undefined && client === undefined) {
    refuse("invalid_client", "The client is not registered.");
  }
  checkRedirect(asked, client);
  if (hint !== undefined) {
    if (!(await endGrant(endpoint, hint))) return unavailablePage();
  } else if (!asked.confirmed) {
    return confirmationPage(asked, client?.client_name ?? client?.client_id, destinationOf(asked, config));
  }
  const destination = destinationOf(asked, config);
  return destination === undefined ? signedOutPage() : redirect(destination);
}

/** The hint's claims, when it is an ID token that this Baton issued (expired or not). */
async function verifyHint(config: Config, issuer: string, token: string): Promise<VerifiedIdToken> {
  const keys = await loadSigningKeys(config.signingKeys);
  const claims = await verifyIdToken(token, keys, issuer, { acceptExpired: true });
  return claims ?? refuse("invalid_request", "The id_token_hint is not an ID token that this server issued.");
}

/**
 * §3: a `post_logout_redirect_uri` must be one of the client's registered ones, compared
 * exactly; which client is known only from the hint or `client_id`.
 */
function checkRedirect(asked: LogoutRequest, client: ClientRecord | undefined): void {
  const uri = asked.postLogoutRedirectUri;
  if (uri === undefined) return;
  if (asked.idTokenHint === undefined && asked.clientId === undefined) {
    refuse("invalid_request", "A post_logout_redirect_uri needs an id_token_hint or a client_id.");
  }
  if (client?.post_logout_redirect_uris?.includes(uri) !== true) {
    refuse("invalid_request", "The post_logout_redirect_uri is not registered for this client.");
  }
}

/**
 * Ends the grant the hint names; `false` only when storage failed. A sid under a secret no
 * longer configured names a grant that no token can reach any more: there is nothing to end.
 */
async function endGrant({ env, config }: Endpoint, hint: VerifiedIdToken): Promise<boolean> {
  if (!(await verifySid(await serverKeys(config), hint.sid))) return true;
  return grantFor(env, config, hint.sid).revoke();
}

/** Where the browser goes on to: the client's page with its `state`, or the host application's. */
function destinationOf(asked: LogoutRequest, config: Config): string | undefined {
  const uri = asked.postLogoutRedirectUri;
  if (uri === undefined) return config.logoutUrl;
  if (asked.state === undefined) return uri;
  // Appended as text: the registered query is kept exactly as the client wrote it.
  return `${uri}${uri.includes("?") ? "&" : "?"}${new URLSearchParams({ state: asked.state })}`;
}

function redirect(location: string): Response {
  return new Response(null, { status: 302, headers: { Location: location, "Cache-Control": "no-store" } });
}
