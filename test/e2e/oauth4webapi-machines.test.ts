/**
 * Machine clients end to end with oauth4webapi: the client_credentials grant, authenticating with
 * a secret or with its own signed assertions (`private_key_jwt`), gives an RFC 9068 access token
 * for the client itself, which validates as a resource server would check it; introspection and
 * revocation accept a fresh assertion on each call. Every response must pass the library's own
 * checks with no relaxing option.
 */
import * as oauth from "oauth4webapi";
import { describe, expect, it } from "vitest";
import { registerClient } from "../support/clients";
import { BASE } from "../support/worker";
import { as, discoverBeforeAll, libraryClient, validateAccessToken, viaWorker } from "./support-oauth4webapi";

discoverBeforeAll();

describe("oauth4webapi against Baton", () => {
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
