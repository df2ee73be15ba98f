/**
 * The client_credentials grant: a machine client gets an access token about itself, within its
 * registered scope, and nothing else.
 *
 * @see RFC 6749 §4.4, RFC 9068 §2.2, WorkOS Connect machine-to-machine tokens
 */
import { beforeAll, describe, expect, it } from "vitest";
import { expectError, expectInvalidClient, expectTokens } from "../http/support-token-endpoint";
import { registerClient, type TestClient } from "../support/clients";
import { jwtPayload } from "../support/code-flow";
import { tokenRequest } from "../support/token-requests";
import { BASE } from "../support/worker";

let machine: TestClient;
let postMachine: TestClient;
let orgless: TestClient;

beforeAll(async () => {
  machine = await registerClient({
    client_name: "Nightly job",
    grant_types: ["client_credentials"],
    redirect_uris: [],
    scope: "reports:read reports:write",
    organization_id: "org_1",
  });
  postMachine = await registerClient({
    grant_types: ["client_credentials"],
    redirect_uris: [],
    token_endpoint_auth_method: "client_secret_post",
    scope: "openid reports:read",
  });
  orgless = await registerClient({ grant_types: ["client_credentials"], redirect_uris: [], scope: "jobs" });
});

function credentials(client: TestClient, extra: Record<string, string> = {}, style: "basic" | "post" = "basic") {
  return tokenRequest(client, { grant_type: "client_credentials", ...extra }, style);
}

function header(jwt: string): Record<string, unknown> {
  return JSON.parse(atob(jwt.split(".")[0]!.replace(/-/g, "+").replace(/_/g, "/")));
}

describe("client_credentials grant", () => {
  it("issues an access token about the client itself, with the client's whole scope by default", async () => {
    const body = await expectTokens(await credentials(machine));
    expect(Object.keys(body).sort()).toEqual(["access_token", "expires_in", "scope", "token_type"]);
    expect(body).toMatchObject({ token_type: "bearer", expires_in: 300, scope: "reports:read reports:write" });
    const claims = jwtPayload(body.access_token as string);
    expect(claims).toEqual({
      iss: BASE,
      sub: machine.client_id,
      aud: machine.client_id,
      client_id: machine.client_id,
      scope: "reports:read reports:write",
      jti: expect.any(String),
      iat: expect.any(Number),
      exp: (claims.iat as number) + 300,
      org_id: "org_1",
    });
    expect(header(body.access_token as string)).toMatchObject({ typ: "at+jwt", kid: expect.any(String) });
  });

  it("carries no sid, no ID token and no refresh token", async () => {
    const body = await expectTokens(await credentials(machine));
    expect(jwtPayload(body.access_token as string).sid).toBeUndefined();
    expect(body.id_token).toBeUndefined();
    expect(body.refresh_token).toBeUndefined();
  });

  it("issues no ID token even when openid is in the scope", async () => {
    const body = await expectTokens(await credentials(postMachine, { scope: "openid reports:read" }, "post"));
    expect(body.scope).toBe("openid reports:read");
    expect(body.id_token).toBeUndefined();
  });

  it("narrows the scope when asked, whatever the order and spacing", async () => {
    const body = await expectTokens(await credentials(machine, { scope: "reports:read" }));
    expect(body.scope).toBe("reports:read");
    expect(jwtPayload(body.access_token as string).scope).toBe("reports:read");
    const reordered = await expectTokens(await credentials(machine, { scope: " reports:write  reports:read " }));
    expect(reordered.scope).toBe("reports:write reports:read");
  });

  it("refuses a scope wider than the client's with invalid_scope", async () => {
    await expectError(await credentials(machine, { scope: "reports:read admin" }), {
      status: 400,
      error: "invalid_scope",
      description: "The requested scope exceeds what the client may ask for.",
    });
  });

  it("refuses a scope that breaks RFC 6749 syntax with invalid_scope", async () => {
    await expectError(await credentials(machine, { scope: 'reports:read "x"' }), {
      status: 400,
      error: "invalid_scope",
      description: "The scope parameter is malformed.",
    });
  });

  it("adds no org_id for a client without an organization", async () => {
    const body = await expectTokens(await credentials(orgless));
    const claims = jwtPayload(body.access_token as string);
    expect(claims.org_id).toBeUndefined();
    expect(claims.sub).toBe(orgless.client_id);
  });

  it("gives each request its own token", async () => {
    const [first, second] = await Promise.all([credentials(machine), credentials(machine)]);
    const a = jwtPayload((await expectTokens(first!)).access_token as string);
    const b = jwtPayload((await expectTokens(second!)).access_token as string);
    expect(a.jti).not.toBe(b.jti);
  });

  it("authenticates the client first: a wrong secret is invalid_client", async () => {
    await expectInvalidClient(await credentials({ ...machine, client_secret: "wrong" }));
  });

  it("refuses a client registered for the code flow with unauthorized_client", async () => {
    const web = await registerClient();
    await expectError(await credentials(web), {
      status: 400,
      error: "unauthorized_client",
      description: "The client is not allowed to use this grant type.",
    });
  });

  it("refuses a public client, which has no credentials to show", async () => {
    const spa = await registerClient({ token_endpoint_auth_method: "none" });
    await expectError(await tokenRequest(spa, { grant_type: "client_credentials" }, "none"), {
      status: 400,
      error: "unauthorized_client",
      description: "The client is not allowed to use this grant type.",
    });
  });
});
