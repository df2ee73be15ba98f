/**
 * `POST /oauth2/introspection` on live tokens: what a resource server learns about an access
 * token, and what a client learns about its own refresh token.
 *
 * @see RFC 7662 §2.2, RFC 9068 §2.2
 */
import { beforeAll, describe, expect, it } from "vitest";
import { registerClient, type TestClient } from "../support/clients";
import { jwtPayload, runCodeFlow } from "../support/code-flow";
import { readFamily, startFamily } from "../support/families";
import { tokenRequest } from "../support/token-requests";
import { BASE, call } from "../support/worker";
import { introspect, introspectionBody } from "../revocation/endpoint-requests";

const IDLE_TTL = 1_209_600;

let client: TestClient;
let resourceServer: TestClient;
let machine: TestClient;

beforeAll(async () => {
  client = await registerClient();
  resourceServer = await registerClient({ grant_types: ["client_credentials"], redirect_uris: [], scope: "api" });
  machine = await registerClient({
    grant_types: ["client_credentials"],
    redirect_uris: [],
    scope: "reports:read jobs",
    organization_id: "org_machines",
  });
});

/** What introspection must say about a live access token: exactly its own claims. */
function describedAccessToken(token: string): Record<string, unknown> {
  const claims = jwtPayload(token);
  return {
    active: true,
    scope: claims.scope,
    client_id: claims.client_id,
    sub: claims.sub,
    exp: claims.exp,
    iat: claims.iat,
    iss: claims.iss,
    aud: claims.aud,
    jti: claims.jti,
    token_type: "access_token",
    ...(claims.sid !== undefined && { sid: claims.sid }),
    ...(claims.org_id !== undefined && { org_id: claims.org_id }),
  };
}

describe("introspection: a live access token", () => {
  it("describes it with exactly the claims it carries, its sid included", async () => {
    const family = await startFamily(client.client_id);
    const answer = await introspectionBody(await introspect(client, family.tokens.access_token));

    expect(answer).toEqual(describedAccessToken(family.tokens.access_token));
    expect(answer).toMatchObject({
      active: true,
      scope: "openid profile email offline_access",
      client_id: client.client_id,
      sub: "user_alice",
      iss: BASE,
      aud: client.client_id,
      token_type: "access_token",
      sid: family.sid,
    });
    expect(answer.exp).toBe((answer.iat as number) + 300);
  });

  it("describes an access token from the authorization code flow, with that grant's sid", async () => {
    const { sid, tokens } = await runCodeFlow(client);
    const answer = await introspectionBody(await introspect(client, tokens.access_token));

    expect(answer).toEqual(describedAccessToken(tokens.access_token));
    expect(answer.sid).toBe(sid);
  });

  it("describes a refreshed access token with the narrower scope it was issued with", async () => {
    const family = await startFamily(client.client_id);
    const refreshed = await tokenRequest(client, {
      grant_type: "refresh_token",
      refresh_token: family.tokens.refresh_token,
      scope: "openid email",
    });
    const { access_token } = await refreshed.json<{ access_token: string }>();

    const answer = await introspectionBody(await introspect(client, access_token));

    expect(answer).toEqual(describedAccessToken(access_token));
    expect(answer.scope).toBe("openid email");
  });

  it("answers any authenticated client, as a resource server is a client of its own", async () => {
    const family = await startFamily(client.client_id);
    const answer = await introspectionBody(await introspect(resourceServer, family.tokens.access_token));

    expect(answer).toEqual(describedAccessToken(family.tokens.access_token));
    expect(answer.client_id).toBe(client.client_id);
  });

  it("describes a machine token (client_credentials) with no sid, its sub the client itself", async () => {
    const issued = await tokenRequest(machine, { grant_type: "client_credentials" });
    const { access_token } = await issued.json<{ access_token: string }>();

    const answer = await introspectionBody(await introspect(resourceServer, access_token));

    expect(answer).toEqual(describedAccessToken(access_token));
    expect(answer).not.toHaveProperty("sid");
    expect(answer).toMatchObject({
      active: true,
      sub: machine.client_id,
      client_id: machine.client_id,
      scope: "reports:read jobs",
    });
  });

  it("takes the token in a JSON body as well", async () => {
    const family = await startFamily(client.client_id);
    const response = await call("/oauth2/introspection", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        token: family.tokens.access_token,
        client_id: client.client_id,
        client_secret: client.client_secret,
      }),
    });

    expect(await introspectionBody(response)).toEqual(describedAccessToken(family.tokens.access_token));
  });
});

describe("introspection: a live refresh token", () => {
  it("describes the current refresh token to its own client", async () => {
    const family = await startFamily(client.client_id);
    const state = await readFamily(family.sid);

    const answer = await introspectionBody(await introspect(client, family.tokens.refresh_token));

    expect(answer).toEqual({
      active: true,
      scope: "openid profile email offline_access",
      client_id: client.client_id,
      sub: "user_alice",
      exp: state!.lastUsedAt + IDLE_TTL,
      token_type: "refresh_token",
      sid: family.sid,
    });
  });

  it("describes the successor after a rotation, its exp moved with the rotation", async () => {
    const family = await startFamily(client.client_id);
    const refreshed = await tokenRequest(client, {
      grant_type: "refresh_token",
      refresh_token: family.tokens.refresh_token,
      scope: "openid",
    });
    const { refresh_token } = await refreshed.json<{ refresh_token: string }>();
    const state = await readFamily(family.sid);

    const answer = await introspectionBody(await introspect(client, refresh_token));

    // The refresh token keeps the grant's whole scope, whatever this response was narrowed to.
    expect(answer).toEqual({
      active: true,
      scope: "openid profile email offline_access",
      client_id: client.client_id,
      sub: "user_alice",
      exp: state!.lastUsedAt + IDLE_TTL,
      token_type: "refresh_token",
      sid: family.sid,
    });
  });

  it("describes a public client's refresh token to that client, authenticated by its id alone", async () => {
    const publicClient = await registerClient({ token_endpoint_auth_method: "none" });
    const family = await startFamily(publicClient.client_id);

    const answer = await introspectionBody(await introspect(publicClient, family.tokens.refresh_token, "none"));

    expect(answer).toMatchObject({ active: true, token_type: "refresh_token", sid: family.sid });
  });
});
