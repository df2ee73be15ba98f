/**
 * What a token exchange (RFC 8693) refuses to take as its subject, beyond a bad or expired token:
 * a token of a client since deleted (its tokens stop working, as subject tokens too, and so do
 * tokens exchanged from its sessions),
 * and a DPoP-bound token without a proof, which would otherwise come out as a bearer token that
 * anyone holding it could use (RFC 9449). With a proof, the new token is bound to its key.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { expectError } from "../http/support-token-endpoint";
import { registerClient, type TestClient } from "../support/clients";
import { aliceLogin, jwtPayload, runCodeFlow } from "../support/code-flow";
import { basicAuth } from "../support/token-requests";
import { admin, call } from "../support/worker";
import { dpopFlow, tokens } from "../dpop/dpop-flow";
import { newDpopKey, proof } from "../dpop/dpop-support";

const EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token";
const DOWNSTREAM = "https://downstream.example.com/api";

let mcpServer: TestClient;

beforeAll(async () => {
  mcpServer = await registerClient({ grant_types: [EXCHANGE], redirect_uris: [], scope: "" });
});

function exchange(subjectToken: string, dpop?: string): Promise<Response> {
  const headers: Record<string, string> = {
    "Content-Type": "application/x-www-form-urlencoded",
    Authorization: basicAuth(mcpServer.client_id, mcpServer.client_secret!),
  };
  if (dpop !== undefined) headers.DPoP = dpop;
  const body = new URLSearchParams({
    grant_type: EXCHANGE,
    subject_token_type: ACCESS_TOKEN,
    subject_token: subjectToken,
    resource: DOWNSTREAM,
  });
  return call("/oauth2/token", { method: "POST", headers, body });
}

describe("token exchange subjects", () => {
  it("refuses the token of a client deleted since, with invalid_grant", async () => {
    const app = await registerClient();
    const flow = await runCodeFlow(app, { scope: "openid offline_access" }, aliceLogin());
    expect((await exchange(flow.tokens.access_token)).status).toBe(200);

    expect((await admin("DELETE", `/admin/clients/${app.client_id}`)).status).toBe(204);

    await expectError(await exchange(flow.tokens.access_token), {
      status: 400,
      error: "invalid_grant",
      description: "The grant is invalid, expired, revoked, or was issued to another client.",
    });
  });

  it("refuses an exchanged token, exchanged again, once the session's own client is deleted", async () => {
    const app = await registerClient();
    const flow = await runCodeFlow(app, { scope: "openid offline_access" }, aliceLogin());
    const exchanged = await tokens(await exchange(flow.tokens.access_token));
    expect((await exchange(exchanged.access_token!)).status).toBe(200);

    expect((await admin("DELETE", `/admin/clients/${app.client_id}`)).status).toBe(204);

    await expectError(await exchange(exchanged.access_token!), {
      status: 400,
      error: "invalid_grant",
      description: "The grant is invalid, expired, revoked, or was issued to another client.",
    });
  });

  it("refuses a DPoP-bound subject token without a proof, and binds the new token to the proof's key", async () => {
    const spa = await registerClient({ token_endpoint_auth_method: "none" });
    const spaKey = await newDpopKey();
    const bound = await tokens((await dpopFlow(spaKey, spa)).response);
    expect(jwtPayload(bound.access_token!).cnf).toEqual({ jkt: spaKey.jkt });

    await expectError(await exchange(bound.access_token!), {
      status: 400,
      error: "invalid_grant",
      description: "The subject_token is bound to a DPoP key; send a DPoP proof.",
    });

    const serverKey = await newDpopKey();
    const exchanged = await tokens(await exchange(bound.access_token!, await proof(serverKey)));
    expect(exchanged.token_type).toBe("DPoP");
    expect(jwtPayload(exchanged.access_token!)).toMatchObject({ cnf: { jkt: serverKey.jkt }, sub: "user_alice" });
  });

  it("still exchanges a bearer subject token without a proof", async () => {
    const app = await registerClient();
    const flow = await runCodeFlow(app, { scope: "openid offline_access" }, aliceLogin());
    const exchanged = await tokens(await exchange(flow.tokens.access_token));
    expect(exchanged.token_type).toBe("bearer");
    expect(jwtPayload(exchanged.access_token!).cnf).toBeUndefined();
  });
});
