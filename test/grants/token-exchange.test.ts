/**
 * Token exchange (RFC 8693): a confidential client holding a user's access token gets a token
 * for a downstream resource, with the user, the session and itself as the actor; revoking the
 * session ends it at introspection like any other.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { expectError } from "../http/support-token-endpoint";
import { registerClient, type TestClient } from "../support/clients";
import { aliceLogin, jwtPayload, runCodeFlow } from "../support/code-flow";
import { basicAuth } from "../support/token-requests";
import { admin, call } from "../support/worker";

const EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token";
const DOWNSTREAM = "https://downstream.example.com/api";

let app: TestClient;
let mcpServer: TestClient;

beforeAll(async () => {
  app = await registerClient();
  mcpServer = await registerClient({ grant_types: [EXCHANGE], redirect_uris: [], scope: "" });
});

function exchange(params: Record<string, string>, audiences: string[] = [], as = mcpServer): Promise<Response> {
  const body = new URLSearchParams({ grant_type: EXCHANGE, subject_token_type: ACCESS_TOKEN, ...params });
  for (const audience of audiences) body.append("audience", audience);
  return call("/oauth2/token", {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      Authorization: basicAuth(as.client_id, as.client_secret!),
    },
    body,
  });
}

function introspect(token: string): Promise<Response> {
  return call("/oauth2/introspection", {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      Authorization: basicAuth(app.client_id, app.client_secret!),
    },
    body: new URLSearchParams({ token }),
  });
}

describe("token exchange", () => {
  it("issues a token for the target, carrying the user, the session and the exchanging client as actor", async () => {
    const flow = await runCodeFlow(
      app,
      { scope: "openid email offline_access" },
      aliceLogin({ organization_id: "org_1" }),
    );

    const response = await exchange({ subject_token: flow.tokens.access_token, resource: DOWNSTREAM, scope: "email" });

    const text = await response.text();
    expect(response.status, text).toBe(200);
    const body = JSON.parse(text) as Record<string, unknown>;
    expect(body).toEqual({
      access_token: expect.any(String),
      issued_token_type: ACCESS_TOKEN,
      token_type: "bearer",
      expires_in: 300,
      scope: "email",
    });
    expect(jwtPayload(body.access_token as string)).toMatchObject({
      sub: "user_alice",
      sid: flow.sid,
      org_id: "org_1",
      aud: DOWNSTREAM,
      client_id: mcpServer.client_id,
      act: { sub: mcpServer.client_id },
      scope: "email",
    });
    expect(await (await introspect(body.access_token as string)).json()).toMatchObject({
      active: true,
      aud: DOWNSTREAM,
    });
  });

  it("carries the grant's access_token_claims into the exchanged token, and down a chain", async () => {
    const flow = await runCodeFlow(app, {}, aliceLogin({ access_token_claims: { role: "admin", tier: 2 } }));
    expect(jwtPayload(flow.tokens.access_token)).toMatchObject({ role: "admin", tier: 2 });

    const first = await (
      await exchange({ subject_token: flow.tokens.access_token, resource: DOWNSTREAM })
    ).json<{ access_token: string }>();
    const second = await (
      await exchange({ subject_token: first.access_token, resource: "https://other.example.com/" })
    ).json<{ access_token: string }>();

    expect(jwtPayload(first.access_token)).toMatchObject({ role: "admin", tier: 2, act: { sub: mcpServer.client_id } });
    expect(jwtPayload(second.access_token)).toMatchObject({
      role: "admin",
      tier: 2,
      act: { sub: mcpServer.client_id, act: { sub: mcpServer.client_id } },
    });
  });

  it("takes audience like resource, several of them, as the token's aud", async () => {
    const flow = await runCodeFlow(app);

    const response = await exchange({ subject_token: flow.tokens.access_token }, [
      DOWNSTREAM,
      "https://other.example.com/",
    ]);

    const body = await response.json<{ access_token: string }>();
    expect(jwtPayload(body.access_token).aud).toEqual([DOWNSTREAM, "https://other.example.com/"]);
  });

  it("ends the exchanged token with its session", async () => {
    const flow = await runCodeFlow(app);
    const exchanged = await (
      await exchange({ subject_token: flow.tokens.access_token, resource: DOWNSTREAM })
    ).json<{
      access_token: string;
    }>();

    expect((await admin("POST", `/admin/grants/${flow.sid}/revoke`)).status).toBe(204);

    expect(await (await introspect(exchanged.access_token)).json()).toEqual({ active: false });
    await expectError(await exchange({ subject_token: flow.tokens.access_token, resource: DOWNSTREAM }), {
      status: 400,
      error: "invalid_grant",
      description: "The grant is invalid, expired, revoked, or was issued to another client.",
    });
  });

  it("lets twenty exchanges of one subject token each succeed", async () => {
    const flow = await runCodeFlow(app);

    const answers = await Promise.all(
      Array.from({ length: 20 }, () => exchange({ subject_token: flow.tokens.access_token, resource: DOWNSTREAM })),
    );

    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
  });

  it.each<[string, Record<string, string>, string[], { error: string; description: string }]>([
    [
      "no subject_token",
      { resource: DOWNSTREAM },
      [],
      { error: "invalid_request", description: "The subject_token parameter is required." },
    ],
    [
      "no target",
      { subject_token: "x" },
      [],
      { error: "invalid_request", description: "A resource or an audience is required." },
    ],
    [
      "another subject_token_type",
      { subject_token: "x", resource: DOWNSTREAM, subject_token_type: "urn:ietf:params:oauth:token-type:id_token" },
      [],
      { error: "invalid_request", description: "Only access tokens can be exchanged." },
    ],
    [
      "another requested_token_type",
      {
        subject_token: "x",
        resource: DOWNSTREAM,
        requested_token_type: "urn:ietf:params:oauth:token-type:refresh_token",
      },
      [],
      { error: "invalid_request", description: "Only access tokens are issued." },
    ],
    [
      "an actor token",
      { subject_token: "x", resource: DOWNSTREAM, actor_token: "y" },
      [],
      { error: "invalid_request", description: "Actor tokens are not supported." },
    ],
    [
      "an invalid target",
      { subject_token: "x" },
      ["http://public.example/"],
      { error: "invalid_target", description: "The requested resource is not valid or not allowed here." },
    ],
    [
      "21 targets (at most 20)",
      { subject_token: "x" },
      Array.from({ length: 21 }, (_, i) => `https://api${i}.example.com/`),
      { error: "invalid_target", description: "The requested resource is not valid or not allowed here." },
    ],
    [
      "a token that is not Baton's",
      { subject_token: "eyJ.x.y", resource: DOWNSTREAM },
      [],
      {
        error: "invalid_grant",
        description: "The grant is invalid, expired, revoked, or was issued to another client.",
      },
    ],
  ])("refuses %s", async (_label, params, audiences, expected) => {
    await expectError(await exchange(params, audiences), { status: 400, ...expected });
  });

  it("refuses a wider scope than the subject token's with invalid_scope", async () => {
    const flow = await runCodeFlow(app, { scope: "openid email" });

    await expectError(
      await exchange({ subject_token: flow.tokens.access_token, resource: DOWNSTREAM, scope: "openid profile" }),
      {
        status: 400,
        error: "invalid_scope",
        description: "The requested scope exceeds the subject token's.",
      },
    );
  });

  it("refuses a client that may not exchange with unauthorized_client", async () => {
    const flow = await runCodeFlow(app);

    await expectError(await exchange({ subject_token: flow.tokens.access_token, resource: DOWNSTREAM }, [], app), {
      status: 400,
      error: "unauthorized_client",
      description: "The client is not allowed to use this grant type.",
    });
  });

  it("refuses to register token exchange for a public client", async () => {
    const response = await admin("POST", "/admin/clients", {
      grant_types: [EXCHANGE],
      token_endpoint_auth_method: "none",
      redirect_uris: [],
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: "invalid_client_metadata",
      error_description: "token exchange needs a confidential client (token_endpoint_auth_method other than none).",
    });
  });
});
