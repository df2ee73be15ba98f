import { beforeAll, describe, expect, it } from "vitest";
import { registerClient, type TestClient } from "../support/clients";
import { startFamily } from "../support/families";
import { basicAuth } from "../support/token-requests";
import {
  DESCRIPTION,
  expectInvalidClient,
  expectInvalidRequest,
  expectTokens,
  percentEncodeAll,
  postForm,
  postJson,
  rawBasic,
} from "../http/support-token-endpoint";

let basicClient: TestClient;
let postClient: TestClient;
let publicClient: TestClient;

beforeAll(async () => {
  basicClient = await registerClient({ token_endpoint_auth_method: "client_secret_basic" });
  postClient = await registerClient({ token_endpoint_auth_method: "client_secret_post" });
  publicClient = await registerClient({ token_endpoint_auth_method: "none" });
});

/** The form parameters of a refresh of a fresh family of `client`. */
async function refreshParams(client: TestClient): Promise<Record<string, string>> {
  const family = await startFamily(client.client_id);
  return { grant_type: "refresh_token", refresh_token: family.tokens.refresh_token };
}

describe("client_secret_basic", () => {
  it("authenticates a client with its form-encoded id and secret", async () => {
    const response = await postForm(await refreshParams(basicClient), {
      Authorization: basicAuth(basicClient.client_id, basicClient.client_secret!),
    });
    await expectTokens(response);
  });

  it("form-decodes the id and the secret after splitting on the first colon", async () => {
    const encoded = `${percentEncodeAll(basicClient.client_id)}:${percentEncodeAll(basicClient.client_secret!)}`;
    expect(encoded).not.toContain(basicClient.client_secret);
    const response = await postForm(await refreshParams(basicClient), { Authorization: rawBasic(encoded) });
    await expectTokens(response);
  });

  it("accepts the scheme name in any case", async () => {
    const header = basicAuth(basicClient.client_id, basicClient.client_secret!).replace("Basic", "bAsIc");
    await expectTokens(await postForm(await refreshParams(basicClient), { Authorization: header }));
  });

  it("authenticates a client registered for client_secret_post", async () => {
    const response = await postForm(await refreshParams(postClient), {
      Authorization: basicAuth(postClient.client_id, postClient.client_secret!),
    });
    await expectTokens(response);
  });

  it("accepts a client_id in the body that matches the Basic credentials", async () => {
    const params = { ...(await refreshParams(basicClient)), client_id: basicClient.client_id };
    const response = await postForm(params, {
      Authorization: basicAuth(basicClient.client_id, basicClient.client_secret!),
    });
    await expectTokens(response);
  });

  it("refuses a client_id in the body that differs from the Basic credentials", async () => {
    const params = { ...(await refreshParams(basicClient)), client_id: postClient.client_id };
    const response = await postForm(params, {
      Authorization: basicAuth(basicClient.client_id, basicClient.client_secret!),
    });
    await expectInvalidRequest(response, DESCRIPTION.clientIdMismatch);
  });

  it("refuses Basic credentials together with a client_secret in the body", async () => {
    const params = { ...(await refreshParams(basicClient)), client_secret: basicClient.client_secret! };
    const response = await postForm(params, {
      Authorization: basicAuth(basicClient.client_id, basicClient.client_secret!),
    });
    await expectInvalidRequest(response, DESCRIPTION.twoMethods);
  });

  it("refuses Basic credentials together with a client_secret in a JSON body", async () => {
    const params = { ...(await refreshParams(basicClient)), client_secret: basicClient.client_secret! };
    const response = await postJson(params, {
      Authorization: basicAuth(basicClient.client_id, basicClient.client_secret!),
    });
    await expectInvalidRequest(response, DESCRIPTION.twoMethods);
  });

  it.each([
    ["characters outside base64", "Basic !!!!"],
    ["base64 of an impossible length", "Basic abcde"],
    ["padding in the middle", "Basic YQ==YQ=="],
    ["no credentials after the scheme", "Basic "],
    ["the scheme alone", "Basic"],
    ["no space after the scheme", `Basic${btoa("a:b")}`],
    ["no colon", rawBasic("client_without_secret")],
    ["an empty client id", rawBasic(":secret")],
    ["bytes that are not UTF-8", rawBasic("\xff\xfe:\xff")],
    ["a percent escape that is not UTF-8", rawBasic("%FF:secret")],
    ["a broken percent escape", rawBasic("%zz:secret")],
    ["a Bearer token", "Bearer some-access-token"],
    ["a Digest challenge answer", 'Digest username="client", response="x"'],
    ["two Basic credentials", `${basicAuth("a", "b")}, ${basicAuth("c", "d")}`],
  ])("refuses %s with 401 invalid_client and a Basic challenge", async (_label, header) => {
    const response = await postForm(await refreshParams(basicClient), { Authorization: header });
    await expectInvalidClient(response, DESCRIPTION.badBasic);
  });

  it("refuses an unknown client", async () => {
    const response = await postForm(await refreshParams(basicClient), {
      Authorization: basicAuth("client_unknown", basicClient.client_secret!),
    });
    await expectInvalidClient(response);
  });

  it("refuses a wrong secret", async () => {
    const response = await postForm(await refreshParams(basicClient), {
      Authorization: basicAuth(basicClient.client_id, `${basicClient.client_secret}x`),
    });
    await expectInvalidClient(response);
  });

  it("refuses another client's secret", async () => {
    const response = await postForm(await refreshParams(basicClient), {
      Authorization: basicAuth(basicClient.client_id, postClient.client_secret!),
    });
    await expectInvalidClient(response);
  });

  it("refuses a confidential client that sends an empty secret", async () => {
    const response = await postForm(await refreshParams(basicClient), {
      Authorization: rawBasic(`${basicClient.client_id}:`),
    });
    await expectInvalidClient(response);
  });
});

describe("client_secret_post", () => {
  it("authenticates a client with client_id and client_secret in the body", async () => {
    const params = {
      ...(await refreshParams(postClient)),
      client_id: postClient.client_id,
      client_secret: postClient.client_secret!,
    };
    await expectTokens(await postForm(params));
  });

  it("authenticates a client registered for client_secret_basic", async () => {
    const params = {
      ...(await refreshParams(basicClient)),
      client_id: basicClient.client_id,
      client_secret: basicClient.client_secret!,
    };
    await expectTokens(await postForm(params));
  });

  it("refuses an unknown client", async () => {
    const params = { ...(await refreshParams(postClient)), client_id: "client_unknown", client_secret: "bsk_x" };
    await expectInvalidClient(await postForm(params));
  });

  it("refuses a wrong secret", async () => {
    const params = {
      ...(await refreshParams(postClient)),
      client_id: postClient.client_id,
      client_secret: postClient.client_secret!.toUpperCase(),
    };
    await expectInvalidClient(await postForm(params));
  });

  it("refuses a secret with surrounding whitespace", async () => {
    const params = {
      ...(await refreshParams(postClient)),
      client_id: postClient.client_id,
      client_secret: ` ${postClient.client_secret} `,
    };
    await expectInvalidClient(await postForm(params));
  });

  it("refuses a confidential client that sends no secret", async () => {
    const params = { ...(await refreshParams(postClient)), client_id: postClient.client_id };
    await expectInvalidClient(await postForm(params));
  });

  it("refuses a request with no client credentials at all", async () => {
    await expectInvalidClient(await postForm(await refreshParams(postClient)), DESCRIPTION.clientAuthRequired);
  });

  it("refuses a client_secret without a client_id", async () => {
    const params = { ...(await refreshParams(postClient)), client_secret: postClient.client_secret! };
    await expectInvalidClient(await postForm(params), DESCRIPTION.clientAuthRequired);
  });
});

describe("public clients (token_endpoint_auth_method none)", () => {
  it("authenticates a public client by its client_id alone", async () => {
    const params = { ...(await refreshParams(publicClient)), client_id: publicClient.client_id };
    await expectTokens(await postForm(params));
  });

  it("authenticates a public client by its client_id alone in a JSON body", async () => {
    const params = { ...(await refreshParams(publicClient)), client_id: publicClient.client_id };
    await expectTokens(await postJson(params));
  });

  it("authenticates a public client that sends Basic with an empty secret", async () => {
    const response = await postForm(await refreshParams(publicClient), {
      Authorization: rawBasic(`${publicClient.client_id}:`),
    });
    await expectTokens(response);
  });

  it("refuses a public client that sends a secret in the body", async () => {
    const params = { ...(await refreshParams(publicClient)), client_id: publicClient.client_id, client_secret: "x" };
    await expectInvalidClient(await postForm(params));
  });

  it("refuses a public client that sends a secret with Basic", async () => {
    const response = await postForm(await refreshParams(publicClient), {
      Authorization: basicAuth(publicClient.client_id, "x"),
    });
    await expectInvalidClient(response);
  });

  it("refuses a public client that sends a confidential client's secret", async () => {
    const params = {
      ...(await refreshParams(publicClient)),
      client_id: publicClient.client_id,
      client_secret: basicClient.client_secret!,
    };
    await expectInvalidClient(await postForm(params));
  });

  it("refuses an unknown client_id that sends no secret", async () => {
    const params = { ...(await refreshParams(publicClient)), client_id: `${publicClient.client_id}x` };
    await expectInvalidClient(await postForm(params));
  });
});
