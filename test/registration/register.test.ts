/**
 * `POST /oauth2/register` (RFC 7591), open while `DYNAMIC_REGISTRATION=open` and the 404 of any
 * unknown path while it is unset: anyone may register a client of the code flow, as MCP clients
 * do, under the `dynamic` rules; the answer holds every registered member; the client is
 * `client_kind: "dynamic"` in the login hand-off. What it refuses is in register-refusals.test.ts.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DESCRIPTION, expectError } from "../http/support-token-endpoint";
import type { TestClient } from "../support/clients";
import { REDIRECT_URI, runCodeFlow, startAuthorization } from "../support/code-flow";
import { admin, call, callerWith } from "../support/worker";
import { register } from "./registration-support";

const CLIENT_ID = /^client_[A-Za-z0-9_-]{22}$/;
const SECRET = /^bsk_[A-Za-z0-9_-]{43}$/;
const EVERY_SCOPE = "openid profile email phone address offline_access mcp:tools mcp:resources";

/** Asserts a 201 client information response with its headers; returns its body. */
async function expectRegistered(response: Response): Promise<Record<string, unknown>> {
  const text = await response.text();
  expect(response.status, text).toBe(201);
  expect(response.headers.get("Content-Type")).toBe("application/json");
  expect(response.headers.get("Cache-Control")).toBe("no-store");
  expect(response.headers.get("Pragma")).toBe("no-cache");
  expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
  expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
  return JSON.parse(text);
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}

describe("POST /oauth2/register while DYNAMIC_REGISTRATION is unset", () => {
  it.each(["POST", "GET", "OPTIONS"])("answers %s with the 404 of any unknown path", async (method) => {
    const response = await call("/oauth2/register", {
      method,
      ...(method === "POST" && {
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ redirect_uris: [REDIRECT_URI] }),
      }),
      // A browser's CORS preflight: not told the path exists either.
      ...(method === "OPTIONS" && {
        headers: { Origin: "https://spa.example", "Access-Control-Request-Method": "POST" },
      }),
    });
    await expectError(response, { status: 404, error: "not_found", description: DESCRIPTION.nothingHere });
    // As any unknown path's: no other origin may read it.
    expect(response.headers.get("Access-Control-Allow-Origin")).toBeNull();
    // The same registration succeeds once it is open.
    expect((await register({ redirect_uris: [REDIRECT_URI] })).status).toBe(201);
  });
});

describe("POST /oauth2/register", () => {
  it("registers a confidential client by default and shows its secret once", async () => {
    const before = now();
    const body = await expectRegistered(await register({ client_name: "Notes", redirect_uris: [REDIRECT_URI] }));
    expect(body).toEqual({
      client_id: expect.stringMatching(CLIENT_ID),
      client_secret: expect.stringMatching(SECRET),
      client_secret_expires_at: 0,
      client_id_issued_at: expect.any(Number),
      client_name: "Notes",
      redirect_uris: [REDIRECT_URI],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
      scope: EVERY_SCOPE,
    });
    expect(body.client_id_issued_at).toBeGreaterThanOrEqual(before);
    expect(body.client_id_issued_at).toBeLessThanOrEqual(now());
    const stored = await env.CLIENTS.get(`client:${body.client_id}`);
    expect(JSON.parse(stored!)).toMatchObject({ client_kind: "dynamic", secrets: [{ hash: expect.any(String) }] });
    expect(stored).not.toContain(body.client_secret as string);
  });

  it("registers exactly what Cursor sends: a private-use, an https and a localhost redirect URI at once", async () => {
    const metadata = {
      client_name: "Cursor",
      redirect_uris: [
        "cursor://anysphere.cursor-mcp/oauth/callback",
        "https://cursor.com/oauth/mcp/callback",
        "http://localhost:8787/callback",
      ],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    };
    const body = await expectRegistered(await register(metadata));
    expect(body).toEqual({
      ...metadata,
      client_id: expect.stringMatching(CLIENT_ID),
      client_id_issued_at: expect.any(Number),
      scope: EVERY_SCOPE,
    });
  });

  it.each(["ES256", "EdDSA", "RS256"])("registers id_token_signed_response_alg %s, a configured key's", async (alg) => {
    const body = await expectRegistered(
      await register({ redirect_uris: [REDIRECT_URI], id_token_signed_response_alg: alg }),
    );
    expect(body.id_token_signed_response_alg).toBe(alg);
  });

  it("registers every member it knows and ignores the rest, organization_id and chosen ids included", async () => {
    const metadata = {
      client_name: "Notes",
      redirect_uris: [REDIRECT_URI],
      grant_types: ["authorization_code", "refresh_token"],
      token_endpoint_auth_method: "client_secret_post",
      scope: "openid email mcp:tools",
      application_type: "web",
      client_uri: "https://notes.example/",
      logo_uri: "https://notes.example/logo.png",
      contacts: ["dev@notes.example"],
      software_id: "notes-mcp",
      software_version: "1.4.2",
      post_logout_redirect_uris: ["https://notes.example/bye"],
    };
    const body = await expectRegistered(
      await register({
        ...metadata,
        organization_id: "org_victim",
        client_id: "client_mine",
        client_secret: "bsk_mine",
        client_kind: "registered",
        tos_uri: "https://notes.example/tos",
      }),
    );
    expect(body).toEqual({
      ...metadata,
      client_id: expect.stringMatching(CLIENT_ID),
      client_secret: expect.stringMatching(SECRET),
      client_secret_expires_at: 0,
      client_id_issued_at: expect.any(Number),
      response_types: ["code"],
    });
    expect(body.client_secret).not.toBe("bsk_mine");
    const stored = await env.CLIENTS.get<Record<string, unknown>>(`client:${body.client_id}`, "json");
    expect(stored).toMatchObject({ client_kind: "dynamic" });
    expect(stored).not.toHaveProperty("organization_id");
    expect(await env.CLIENTS.get("client:client_mine")).toBeNull();
  });

  it.each([
    [
      "keeps the supported scopes and drops the others",
      "openid unknown mcp:tools email admin",
      "openid email mcp:tools",
    ],
    ["drops a scope token with characters RFC 6749 does not allow", "openid caf\u00e9 pro\\file", "openid"],
    ["normalises repeats and spacing", "  email   email openid ", "openid email"],
  ])("%s", async (_label, scope, expected) => {
    const body = await expectRegistered(await register({ redirect_uris: [REDIRECT_URI], scope }));
    expect(body.scope).toBe(expected);
  });

  it("gives a public client no secret, and it completes the code flow with PKCE", async () => {
    const body = await expectRegistered(
      await register({
        redirect_uris: [REDIRECT_URI],
        grant_types: ["authorization_code", "refresh_token"],
        token_endpoint_auth_method: "none",
      }),
    );
    expect(body).not.toHaveProperty("client_secret");
    expect(body).not.toHaveProperty("client_secret_expires_at");
    const client: TestClient = { client_id: body.client_id as string };
    const { tokens } = await runCodeFlow(client);
    expect(tokens).toMatchObject({
      token_type: "bearer",
      refresh_token: expect.any(String),
      id_token: expect.any(String),
    });
  });

  it("gives a confidential client a secret that works at the token endpoint", async () => {
    const body = await expectRegistered(
      await register({ redirect_uris: [REDIRECT_URI], grant_types: ["authorization_code"] }),
    );
    const client: TestClient = { client_id: body.client_id as string, client_secret: body.client_secret as string };
    const { tokens } = await runCodeFlow(client, { scope: "openid email" });
    expect(tokens).toMatchObject({ token_type: "bearer", scope: "openid email" });
    expect(tokens).not.toHaveProperty("refresh_token");
  });

  it("is client_kind dynamic in the login hand-off", async () => {
    const body = await expectRegistered(await register({ client_name: "Notes", redirect_uris: [REDIRECT_URI] }));
    const client: TestClient = { client_id: body.client_id as string, client_secret: body.client_secret as string };
    const started = await startAuthorization(client, { scope: "openid email" });
    expect(await (await admin("GET", `/admin/authorizations/${started.id}`)).json()).toEqual({
      client_id: client.client_id,
      client_name: "Notes",
      scope: "openid email",
      redirect_uri: REDIRECT_URI,
      expires_at: expect.any(Number),
      client_kind: "dynamic",
      resource: [],
      prompt: [],
    });
  });

  it("registers a private_key_jwt client with its key, and no secret", async () => {
    const jwks = {
      keys: [
        {
          kty: "EC",
          crv: "P-256",
          x: "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
          y: "4Etl6SRW2YilurN5VfrFWaXaFAkPFxa9E-CklR6Q6JI",
          kid: "1",
        },
      ],
    };
    const body = await expectRegistered(
      await register({ redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: "private_key_jwt", jwks }),
    );
    expect(body).toMatchObject({ token_endpoint_auth_method: "private_key_jwt", jwks });
    expect(body).not.toHaveProperty("client_secret");
    expect(body).not.toHaveProperty("client_secret_expires_at");
  });

  it("takes a jwks_uri on http://127.0.0.1 only while CLIENT_METADATA_ALLOW_LOOPBACK is on", async () => {
    const metadata = {
      redirect_uris: [REDIRECT_URI],
      token_endpoint_auth_method: "private_key_jwt",
      jwks_uri: "http://127.0.0.1:8788/jwks.json",
    };
    await expectError(await register(metadata), {
      status: 400,
      error: "invalid_client_metadata",
      description: "jwks_uri must be an https URL without a fragment or userinfo.",
    });
    const loopback = callerWith({ DYNAMIC_REGISTRATION: "open", CLIENT_METADATA_ALLOW_LOOPBACK: "true" });
    const body = await expectRegistered(await register(metadata, {}, loopback));
    expect(body).toMatchObject({ jwks_uri: metadata.jwks_uri });
  });

  it("gives every registration its own client", async () => {
    const bodies = await Promise.all(
      Array.from({ length: 5 }, async () => expectRegistered(await register({ redirect_uris: [REDIRECT_URI] }))),
    );
    expect(new Set(bodies.map((body) => body.client_id)).size).toBe(5);
    expect(new Set(bodies.map((body) => body.client_secret)).size).toBe(5);
  });
});
