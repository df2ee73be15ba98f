/**
 * The user's flows end to end with a client library no one here wrote: oauth4webapi discovers
 * Baton, runs the authorization code flow with PKCE and nonce, refreshes and validates the JWT
 * access token as a resource server would (RFC 9068), authenticating with a secret, with nothing
 * (a public client) or with its own signed assertions (`private_key_jwt`); it sees a denied login
 * and a reused code as the errors they are. Every response must pass the library's own checks
 * with no relaxing option. The client_credentials grant is in oauth4webapi-machines.test.ts.
 */
import { exports } from "cloudflare:workers";
import { createLocalJWKSet, jwtVerify } from "jose";
import * as oauth from "oauth4webapi";
import { describe, expect, it } from "vitest";
import { REDIRECT_URI, completeLogin, expectLoginHandOff, followAuthorizationUrl } from "../support/code-flow";
import { ALICE } from "../support/families";
import { BASE, admin } from "../support/worker";
import { as, discoverBeforeAll, libraryClient, validateAccessToken, viaWorker } from "./support-oauth4webapi";

discoverBeforeAll();

/** The login of a browser: authorize, hand-off to the login page, Alice logs in. */
async function authorizeInBrowser(client: oauth.Client, scope: string) {
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const url = new URL(as.authorization_endpoint!);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: client.client_id,
    redirect_uri: REDIRECT_URI,
    scope,
    state,
    nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: "S256",
  }).toString();
  const id = expectLoginHandOff(await followAuthorizationUrl(url));
  const authTime = Math.floor(Date.now() / 1000) - 5;
  const callback = await completeLogin(id, {
    subject: "user_alice",
    claims: ALICE,
    organization_id: "org_wonderland",
    auth_time: authTime,
  });
  return { id, callback, codeVerifier, state, nonce, authTime };
}

describe("oauth4webapi against Baton", () => {
  it("discovers the issuer, its endpoints and what it supports", () => {
    expect(as).toMatchObject({
      issuer: BASE,
      authorization_endpoint: `${BASE}/oauth2/authorize`,
      token_endpoint: `${BASE}/oauth2/token`,
      jwks_uri: `${BASE}/oauth2/jwks`,
      code_challenge_methods_supported: ["S256"],
      authorization_response_iss_parameter_supported: true,
    });
  });

  it("sees private_key_jwt and its signing algorithms advertised", () => {
    expect(as.token_endpoint_auth_methods_supported).toContain("private_key_jwt");
    expect(as.token_endpoint_auth_signing_alg_values_supported).toEqual(["RS256", "PS256", "ES256", "EdDSA"]);
  });

  describe.each(["client_secret_basic", "client_secret_post", "none", "private_key_jwt"] as const)(
    "a %s client",
    (method) => {
      it("runs the code flow with PKCE and nonce, refreshes twice and gets valid RFC 9068 access tokens", async () => {
        const { registered, client, auth } = await libraryClient(method);
        const login = await authorizeInBrowser(client, "openid profile email offline_access");

        const params = oauth.validateAuthResponse(as, client, login.callback, login.state);
        const codeResponse = await oauth.authorizationCodeGrantRequest(
          as,
          client,
          auth,
          params,
          REDIRECT_URI,
          login.codeVerifier,
          viaWorker,
        );
        const tokens = await oauth.processAuthorizationCodeResponse(as, client, codeResponse, {
          expectedNonce: login.nonce,
          requireIdToken: true,
          maxAge: 3600,
        });
        expect(tokens.token_type).toBe("bearer");
        expect(tokens.scope).toBe("openid profile email offline_access");
        const idClaims = oauth.getValidatedIdTokenClaims(tokens)!;
        expect(idClaims).toMatchObject({
          iss: BASE,
          sub: "user_alice",
          aud: registered.client_id,
          nonce: login.nonce,
          auth_time: login.authTime,
          sid: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
          email: ALICE.email,
          name: ALICE.name,
        });

        const accessClaims = await validateAccessToken(tokens.access_token, registered.client_id);
        expect(accessClaims).toMatchObject({
          iss: BASE,
          sub: "user_alice",
          aud: registered.client_id,
          client_id: registered.client_id,
          scope: "openid profile email offline_access",
          sid: idClaims.sid,
          org_id: "org_wonderland",
        });

        let refreshToken = tokens.refresh_token!;
        expect(refreshToken).toEqual(expect.any(String));
        for (let round = 0; round < 2; round++) {
          const response = await oauth.refreshTokenGrantRequest(as, client, auth, refreshToken, viaWorker);
          const refreshed = await oauth.processRefreshTokenResponse(as, client, response);
          expect(refreshed.refresh_token).toEqual(expect.any(String));
          expect(refreshed.refresh_token).not.toBe(refreshToken);
          refreshToken = refreshed.refresh_token!;
          // OIDC Core §12.2: same iss, sub, aud and auth_time; no nonce.
          const refreshedId = oauth.getValidatedIdTokenClaims(refreshed)!;
          expect(refreshedId).toMatchObject({
            iss: BASE,
            sub: "user_alice",
            aud: registered.client_id,
            auth_time: login.authTime,
          });
          expect(refreshedId.nonce).toBeUndefined();
          const refreshedAccess = await validateAccessToken(refreshed.access_token, registered.client_id);
          expect(refreshedAccess).toMatchObject({
            sub: "user_alice",
            sid: idClaims.sid,
            client_id: registered.client_id,
          });
        }
      });
    },
  );

  it("gets ID tokens whose signatures verify against the published JWKS", async () => {
    const { client, auth } = await libraryClient("client_secret_basic");
    const login = await authorizeInBrowser(client, "openid email");
    const params = oauth.validateAuthResponse(as, client, login.callback, login.state);
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(as, client, auth, params, REDIRECT_URI, login.codeVerifier, viaWorker),
      { expectedNonce: login.nonce },
    );
    // oauth4webapi trusts ID tokens received straight from the token endpoint; check the signature too.
    const jwks = await (await exports.default.fetch(new Request(as.jwks_uri!))).json<{ keys: oauth.JWK[] }>();
    const { payload, protectedHeader } = await jwtVerify(tokens.id_token!, createLocalJWKSet(jwks), {
      issuer: BASE,
      audience: client.client_id,
    });
    expect(protectedHeader.kid).toEqual(expect.any(String));
    expect(payload).toMatchObject({ sub: "user_alice", email: ALICE.email, nonce: login.nonce });
    expect(tokens.refresh_token).toBeUndefined();
  });

  it("sees a denied login as an access_denied authorization error response", async () => {
    const { client } = await libraryClient("client_secret_basic");
    const state = oauth.generateRandomState();
    const url = new URL(as.authorization_endpoint!);
    url.search = new URLSearchParams({
      response_type: "code",
      client_id: client.client_id,
      redirect_uri: REDIRECT_URI,
      scope: "openid",
      state,
    }).toString();
    const id = expectLoginHandOff(await followAuthorizationUrl(url));
    const denied = await admin("POST", `/admin/authorizations/${id}/deny`);
    const callback = new URL((await denied.json<{ redirect_to: string }>()).redirect_to);

    expect(() => oauth.validateAuthResponse(as, client, callback, state)).toThrow(oauth.AuthorizationResponseError);
    let error: oauth.AuthorizationResponseError | undefined;
    try {
      oauth.validateAuthResponse(as, client, callback, state);
    } catch (caught) {
      error = caught as oauth.AuthorizationResponseError;
    }
    expect(error?.error).toBe("access_denied");
    expect(error?.error_description).toBe("The user or the application denied the request.");
  });

  it("gets invalid_grant when it redeems a code a second time", async () => {
    const { client, auth } = await libraryClient("client_secret_post");
    const login = await authorizeInBrowser(client, "openid offline_access");
    const params = oauth.validateAuthResponse(as, client, login.callback, login.state);
    const redeem = () =>
      oauth.authorizationCodeGrantRequest(as, client, auth, params, REDIRECT_URI, login.codeVerifier, viaWorker);
    const first = await oauth.processAuthorizationCodeResponse(as, client, await redeem(), {
      expectedNonce: login.nonce,
    });

    await expect(
      oauth.processAuthorizationCodeResponse(as, client, await redeem(), { expectedNonce: login.nonce }),
    ).rejects.toMatchObject({ error: "invalid_grant", status: 400 });
    // RFC 6749 §4.1.2: what the first redemption issued is revoked.
    await expect(
      oauth.processRefreshTokenResponse(
        as,
        client,
        await oauth.refreshTokenGrantRequest(as, client, auth, first.refresh_token!, viaWorker),
      ),
    ).rejects.toMatchObject({ error: "invalid_grant", status: 400 });
  });
});
