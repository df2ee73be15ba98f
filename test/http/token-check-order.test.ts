import { beforeAll, describe, it } from "vitest";
import { registerClient, type TestClient } from "../support/clients";
import { startFamily } from "../support/families";
import { basicAuth } from "../support/token-requests";
import {
  DESCRIPTION,
  expectError,
  expectInvalidClient,
  expectInvalidRequest,
  postForm,
  postToken,
} from "./support-token-endpoint";

const FORM = "application/x-www-form-urlencoded";

let web: TestClient;
let machine: TestClient;

beforeAll(async () => {
  web = await registerClient();
  machine = await registerClient({ grant_types: ["client_credentials"], redirect_uris: [], scope: "reports:read" });
});

function basicOf(client: TestClient, secret = client.client_secret!): Record<string, string> {
  return { Authorization: basicAuth(client.client_id, secret) };
}

describe("grant type", () => {
  it("refuses a request without grant_type with invalid_request", async () => {
    const family = await startFamily(web.client_id);
    const response = await postForm({ refresh_token: family.tokens.refresh_token }, basicOf(web));
    await expectInvalidRequest(response, DESCRIPTION.grantTypeRequired);
  });

  it.each(["password", "urn:ietf:params:oauth:grant-type:jwt-bearer", "REFRESH_TOKEN", "refresh_token "])(
    "answers the unknown grant type %j with unsupported_grant_type",
    async (grantType) => {
      const response = await postForm({ grant_type: grantType }, basicOf(web));
      await expectError(response, {
        status: 400,
        error: "unsupported_grant_type",
        description: DESCRIPTION.unsupportedGrantType,
      });
    },
  );

  it.each(["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"])(
    "answers the grant type %j, a name every object has, with unsupported_grant_type",
    async (grantType) => {
      const response = await postForm({ grant_type: grantType }, basicOf(web));
      await expectError(response, {
        status: 400,
        error: "unsupported_grant_type",
        description: DESCRIPTION.unsupportedGrantType,
      });
    },
  );

  it("refuses the refresh_token grant to a client registered only for client_credentials", async () => {
    const response = await postForm({ grant_type: "refresh_token", refresh_token: "rt_anything" }, basicOf(machine));
    await expectError(response, {
      status: 400,
      error: "unauthorized_client",
      description: DESCRIPTION.unauthorizedClient,
    });
  });

  it("refuses the refresh_token grant to such a client even with another client's live token", async () => {
    const family = await startFamily(web.client_id);
    const response = await postForm(
      { grant_type: "refresh_token", refresh_token: family.tokens.refresh_token },
      basicOf(machine),
    );
    await expectError(response, {
      status: 400,
      error: "unauthorized_client",
      description: DESCRIPTION.unauthorizedClient,
    });
  });

  it("refuses client_credentials to a client registered only for the code and refresh grants", async () => {
    const response = await postForm({ grant_type: "client_credentials" }, basicOf(web));
    await expectError(response, {
      status: 400,
      error: "unauthorized_client",
      description: DESCRIPTION.unauthorizedClient,
    });
  });
});

describe("order of checks", () => {
  it("judges the media type before the credentials", async () => {
    const response = await postToken("grant_type=refresh_token&refresh_token=x", {
      "Content-Type": "text/plain",
      ...basicOf(web, "wrong"),
    });
    await expectInvalidRequest(response, DESCRIPTION.mediaType);
  });

  it("judges the media type before malformed Basic credentials", async () => {
    const response = await postToken("grant_type=refresh_token", {
      "Content-Type": "multipart/form-data; boundary=x",
      Authorization: "Basic !!!",
    });
    await expectInvalidRequest(response, DESCRIPTION.mediaType);
  });

  it("judges a client_secret in the query before the credentials", async () => {
    const response = await postToken(
      "grant_type=refresh_token&refresh_token=x",
      { "Content-Type": FORM, ...basicOf(web, "wrong") },
      "/oauth2/token?client_secret=wrong",
    );
    await expectInvalidRequest(response, DESCRIPTION.secretInQuery);
  });

  it("judges a missing grant_type, part of the request's shape, before the credentials", async () => {
    const response = await postForm({ refresh_token: "x" }, basicOf(web, "wrong"));
    await expectInvalidRequest(response, DESCRIPTION.grantTypeRequired);
  });

  it("authenticates the client before judging an unknown grant type", async () => {
    const response = await postForm({ grant_type: "password" }, basicOf(web, "wrong"));
    await expectInvalidClient(response);
  });

  it("authenticates the client before judging whether it may use the grant type", async () => {
    const response = await postForm({ grant_type: "refresh_token", refresh_token: "x" }, basicOf(machine, "wrong"));
    await expectInvalidClient(response);
  });

  it("authenticates the client before reading the refresh token", async () => {
    const family = await startFamily(web.client_id);
    const response = await postForm(
      { grant_type: "refresh_token", refresh_token: family.tokens.refresh_token },
      {
        ...basicOf(web, "wrong"),
      },
    );
    await expectInvalidClient(response);
  });

  it("judges whether the client may use the grant type before the grant's own parameters", async () => {
    const response = await postForm({ grant_type: "refresh_token" }, basicOf(machine));
    await expectError(response, {
      status: 400,
      error: "unauthorized_client",
      description: DESCRIPTION.unauthorizedClient,
    });
  });

  it("judges the grant's parameters once the client is known and allowed", async () => {
    const response = await postForm({ grant_type: "refresh_token" }, basicOf(web));
    await expectInvalidRequest(response, DESCRIPTION.refreshTokenRequired);
  });

  it("judges the refresh token last", async () => {
    const response = await postForm({ grant_type: "refresh_token", refresh_token: "rt_not_a_token" }, basicOf(web));
    await expectError(response, { status: 400, error: "invalid_grant", description: DESCRIPTION.invalidGrant });
  });
});
