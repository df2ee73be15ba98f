/**
 * The flows end to end with a client library no one here wrote: oauth4webapi discovers Baton,
 * runs the authorization code flow with PKCE and nonce, refreshes, validates the JWT access token
 * as a resource server would (RFC 9068), and runs the client_credentials grant, authenticating
 * with a secret, with nothing (a public client) or with its own signed assertions
 * (`private_key_jwt`). Every response must pass the library's own checks with no relaxing option.
 */
import { exports } from "cloudflare:workers";
import { createLocalJWKSet, jwtVerify } from "jose";
import * as oauth from "oauth4webapi";
import { beforeAll, describe, expect, it } from "vitest";
import { registerClient, type TestClient } from "../support/clients";
import { clientKey } from "../support/client-keys";
import { REDIRECT_URI, completeLogin, expectLoginHandOff, followAuthorizationUrl } from "../support/code-flow";
import { ALICE } from "../support/families";
import { BASE, admin } from "../support/worker";

const ISSUER = new URL(BASE);

/** Every request the library makes goes to the Worker's own fetch handler. */
const viaWorker = {
  [oauth.customFetch]: (url: string, init: oauth.CustomFetchOptions<string, unknown>) =>
    exports.default.fetch(new Request(url, init as RequestInit)),
};

let as: oauth.AuthorizationServer;

beforeAll(async () => {
  as = await oauth.processDiscoveryResponse(ISSUER, await oauth.discoveryRequest(ISSUER, viaWorker));
});

/** A registered client as the library sees it, with the way it authenticates. */
interface LibraryClient {
  registered: TestClient;
  client: oauth.Client;
  auth: oauth.ClientAuth;
}

type Method = "client_secret_basic" | "client_secret_post" | "none" | "private_key_jwt";

async function libraryClient(method: Method, metadata: Record<string, unknown> = {}): Promise<LibraryClient> {
  if (method === "private_key_jwt") {
    const key = await clientKey("ES256");
    const registered = await registerClient({
      token_endpoint_auth_method: method,
      jwks: { keys: [key.publicJwk] },
      ...metadata,
    });
    const client = { client_id: registered.client_id, token_endpoint_auth_method: method };
    return { registered, client, auth: oauth.PrivateKeyJwt({ key: key.privateKey, kid: key.kid }) };
  }
  const registered = await registerClient({ token_endpoint_auth_method: method, ...metadata });
  const auth =
    method === "client_secret_basic"
      ? oauth.ClientSecretBasic(registered.client_secret!)
      : method === "client_secret_post"
        ? oauth.ClientSecretPost(registered.client_secret!)
        : oauth.None();
  return { registered, client: { client_id: registered.client_id, token_endpoint_auth_method: method }, auth };
}

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

/** The access token as a resource server checks it (RFC 9068), with the client as audience. */
function validateAccessToken(accessToken: string, audience: string) {
  const request = new Request("https://api.example/things", { headers: { Authorization: `Bearer ${accessToken}` } });
  return oauth.validateJwtAccessToken(as, request, audience, viaWorker);
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

  it("runs the client_credentials grant and gets an RFC 9068 access token for the client itself", async () => {
    const registered = await registerClient({
      client_name: "Nightly job",
      grant_types: ["client_credentials"],
      redirect_uris: [],
      scope: "reports:read reports:write",
      organization_id: "org_wonderland",
    });
    const client: oauth.Client = { client_id: registered.client_id };
    const response = await oauth.clientCredentialsGrantRequest(
      as,
      client,
      oauth.ClientSecretBasic(registered.client_secret!),
      { scope: "reports:read" },
      viaWorker,
    );
    const tokens = await oauth.processClientCredentialsResponse(as, client, response);
    expect(tokens).toMatchObject({ token_type: "bearer", scope: "reports:read", expires_in: 300 });
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.id_token).toBeUndefined();

    const claims = await validateAccessToken(tokens.access_token, registered.client_id);
    expect(claims).toMatchObject({
      iss: BASE,
      sub: registered.client_id,
      client_id: registered.client_id,
      scope: "reports:read",
      org_id: "org_wonderland",
    });
    expect(claims.sid).toBeUndefined();
  });

  it("runs client_credentials, introspection and revocation with private_key_jwt assertions", async () => {
    const { registered, client, auth } = await libraryClient("private_key_jwt", {
      client_name: "Nightly job",
      grant_types: ["client_credentials"],
      redirect_uris: [],
      scope: "reports:read reports:write",
    });
    const response = await oauth.clientCredentialsGrantRequest(as, client, auth, { scope: "reports:read" }, viaWorker);
    const tokens = await oauth.processClientCredentialsResponse(as, client, response);
    expect(tokens).toMatchObject({ token_type: "bearer", scope: "reports:read", expires_in: 300 });
    const claims = await validateAccessToken(tokens.access_token, registered.client_id);
    expect(claims).toMatchObject({ sub: registered.client_id, client_id: registered.client_id });

    // Each call signs a new assertion with a fresh jti: none is refused as a replay.
    const introspected = await oauth.processIntrospectionResponse(
      as,
      client,
      await oauth.introspectionRequest(as, client, auth, tokens.access_token, viaWorker),
    );
    expect(introspected).toMatchObject({ active: true, client_id: registered.client_id, scope: "reports:read" });
    await oauth.processRevocationResponse(
      await oauth.revocationRequest(as, client, auth, tokens.access_token, viaWorker),
    );
  });
});
