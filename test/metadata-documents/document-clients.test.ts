/**
 * Clients nobody registered, identified by the URL of their Client ID Metadata Document
 * (draft-ietf-oauth-client-id-metadata-document), while `CLIENT_ID_METADATA_DOCUMENTS=true`:
 * Baton fetches the document from a real HTTP server and the client runs the code flow with
 * PKCE as a public client, driven by oauth4webapi; its tokens work at userinfo and
 * introspection like any other client's. Its record lives in no KV.
 */
import { env } from "cloudflare:workers";
import { exportJWK, generateKeyPair } from "jose";
import * as oauth from "oauth4webapi";
import { describe, expect, it } from "vitest";
import { expectInvalidClient } from "../http/support-token-endpoint";
import { registerClient } from "../support/clients";
import { REDIRECT_URI, authorizationQuery, completeLogin, expectLoginHandOff } from "../support/code-flow";
import { ALICE } from "../support/families";
import { basicAuth } from "../support/token-requests";
import { documentUrl, goodDocument, requestsFor, serveDocument, withDocuments } from "../support/metadata-documents";
import { BASE, admin, call } from "../support/worker";

const ISSUER = new URL(BASE);
const UNKNOWN_CLIENT = "The client is not registered.";

/** Every request oauth4webapi makes goes to the Worker, with metadata documents on. */
const viaWorker = {
  [oauth.customFetch]: (url: string, init: oauth.CustomFetchOptions<string, unknown>) =>
    withDocuments(new URL(url).pathname + new URL(url).search, init as RequestInit),
};

/** `GET /oauth2/authorize` for `clientId` with metadata documents on. */
async function authorizeAs(clientId: string, options: { scope?: string } = {}) {
  const started = await authorizationQuery({ client_id: clientId }, options);
  const response = await withDocuments(`/oauth2/authorize?${new URLSearchParams(started.query)}`);
  return { response, ...started };
}

async function expectUnknownClientPage(response: Response): Promise<void> {
  const html = await response.text();
  expect(response.status).toBe(400);
  expect(response.headers.get("Location")).toBeNull();
  expect(response.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
  expect(html).toContain(UNKNOWN_CLIENT);
}

describe("a client whose client_id is its metadata document's URL", () => {
  it("runs the code flow with PKCE as a public client, refreshes, and reads userinfo (oauth4webapi)", async () => {
    const clientId = documentUrl("good");
    const as = await oauth.processDiscoveryResponse(ISSUER, await oauth.discoveryRequest(ISSUER, viaWorker));
    expect(as.client_id_metadata_document_supported).toBe(true);
    const client: oauth.Client = { client_id: clientId, token_endpoint_auth_method: "none" };
    const codeVerifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const url = new URL(as.authorization_endpoint!);
    url.search = new URLSearchParams({
      response_type: "code",
      client_id: clientId,
      redirect_uri: REDIRECT_URI,
      scope: "openid email offline_access",
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: "S256",
    }).toString();
    const id = expectLoginHandOff(await withDocuments(url.pathname + url.search));
    const callback = await completeLogin(id, { subject: "user_alice", claims: ALICE });

    const params = oauth.validateAuthResponse(as, client, callback, state);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      oauth.None(),
      params,
      REDIRECT_URI,
      codeVerifier,
      viaWorker,
    );
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, { requireIdToken: true });
    expect(oauth.getValidatedIdTokenClaims(tokens)).toMatchObject({ aud: clientId, sub: "user_alice" });
    expect(tokens.scope).toBe("openid email offline_access");

    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, viaWorker),
    );
    const userinfo = await oauth.userInfoRequest(as, client, refreshed.access_token, viaWorker);
    expect(await userinfo.json()).toEqual({ sub: "user_alice", email: ALICE.email, email_verified: true });
    // A resource server learns that the token is live, as for any other client's.
    const resourceServer = await registerClient({ grant_types: ["client_credentials"], redirect_uris: [], scope: "" });
    const introspection = await withDocuments("/oauth2/introspection", {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Authorization: basicAuth(resourceServer.client_id, resourceServer.client_secret!),
      },
      body: new URLSearchParams({ token: refreshed.access_token }),
    });
    expect(await introspection.json()).toMatchObject({ active: true, client_id: clientId, sub: "user_alice" });
    // One fetch served the whole flow; nothing was written to KV.
    expect(await requestsFor(clientId)).toBe(1);
    expect(await env.CLIENTS.get(`client:${clientId}`)).toBeNull();
  });

  it("is client_kind metadata_document in the login hand-off, with the document's name", async () => {
    const clientId = documentUrl("good");
    const { response } = await authorizeAs(clientId, { scope: "openid email" });
    const id = expectLoginHandOff(response);
    expect(await (await admin("GET", `/admin/authorizations/${id}`)).json()).toEqual({
      client_id: clientId,
      client_name: "Document App",
      scope: "openid email",
      redirect_uri: REDIRECT_URI,
      expires_at: expect.any(Number),
      client_kind: "metadata_document",
      resource: [],
      prompt: [],
    });
  });

  it("takes the document's other members under the rules of dynamic registration", async () => {
    const clientId = documentUrl("custom");
    await serveDocument(clientId, { ...goodDocument(clientId), scope: "openid unknown email" });
    expectLoginHandOff((await authorizeAs(clientId, { scope: "openid email" })).response);
    // A scope Baton does not support was dropped, so asking for it exceeds the client's scope.
    const { response } = await authorizeAs(clientId, { scope: "openid unknown" });
    expect(response.status).toBe(302);
    expect(new URL(response.headers.get("Location")!).searchParams.get("error")).toBe("invalid_scope");
  });

  it("takes an id_token_signed_response_alg of a configured key, and is unknown with one no key has", async () => {
    const good = documentUrl("custom");
    await serveDocument(good, { ...goodDocument(good), id_token_signed_response_alg: "RS256" });
    expectLoginHandOff((await authorizeAs(good)).response);

    const bad = documentUrl("custom");
    await serveDocument(bad, { ...goodDocument(bad), id_token_signed_response_alg: "HS256" });
    await expectUnknownClientPage((await authorizeAs(bad)).response);
  });

  it("accepts a private_key_jwt document, whose client a bare client_id never authenticates", async () => {
    const { publicKey } = await generateKeyPair("ES256", { extractable: true });
    const clientId = documentUrl("custom");
    await serveDocument(clientId, {
      ...goodDocument(clientId),
      token_endpoint_auth_method: "private_key_jwt",
      jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: "k1" }] },
    });
    expectLoginHandOff((await authorizeAs(clientId)).response);
    const response = await withDocuments("/oauth2/token", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "authorization_code", code: "x", client_id: clientId }),
    });
    await expectInvalidClient(response);
  });

  it.each([
    ["holds a shared-secret method", "client-secret"],
    ["has no client_name", "no-client-name"],
    ["names a bad redirect URI", "bad-redirect-uri"],
  ])("is an unknown client when its document %s", async (_label, behaviour) => {
    const clientId = documentUrl(behaviour);
    await expectUnknownClientPage((await authorizeAs(clientId)).response);
    expect(await requestsFor(clientId)).toBe(1);
  });

  it("is an unknown client, and nothing is fetched, while CLIENT_ID_METADATA_DOCUMENTS is unset", async () => {
    const clientId = documentUrl("good");
    const started = await authorizationQuery({ client_id: clientId });
    await expectUnknownClientPage(await call(`/oauth2/authorize?${new URLSearchParams(started.query)}`));
    expect(await requestsFor(clientId)).toBe(0);
    // The same URL names a client once they are on.
    expectLoginHandOff((await authorizeAs(clientId)).response);
  });
});
