/**
 * The token request's parameters, as RFC 6749 §3.2 wants them: one given more than once is
 * refused, even with the same value and before the credentials are looked at; one sent empty
 * counts as omitted; and the query string is never read for them, while a client_secret in it is
 * refused outright (§2.3.1).
 */
import { describe, expect, it } from "vitest";
import { basicAuth } from "../support/token-requests";
import { FORM, basic, client, freshToken, registerClientBeforeAll } from "./support-token-body";
import {
  DESCRIPTION,
  expectInvalidClient,
  expectInvalidRequest,
  expectTokens,
  postForm,
  postJson,
  postToken,
} from "./support-token-endpoint";

registerClientBeforeAll();

describe("repeated parameters", () => {
  it.each([
    ["with different values", "grant_type=refresh_token&grant_type=client_credentials"],
    ["with the same value", "grant_type=refresh_token&grant_type=refresh_token"],
    ["once empty", "grant_type=refresh_token&grant_type="],
    ["once percent-encoded", "grant_type=refresh_token&grant%5Ftype=refresh_token"],
  ])("refuses a form parameter given twice %s", async (_label, prefix) => {
    const response = await postToken(`${prefix}&refresh_token=${await freshToken()}`, {
      "Content-Type": FORM,
      ...basic,
    });
    await expectInvalidRequest(response, DESCRIPTION.repeated);
  });

  it("refuses a repeated refresh_token even when both are the same", async () => {
    const token = await freshToken();
    const response = await postToken(`grant_type=refresh_token&refresh_token=${token}&refresh_token=${token}`, {
      "Content-Type": FORM,
      ...basic,
    });
    await expectInvalidRequest(response, DESCRIPTION.repeated);
  });

  it.each([
    ["with different values", '{"grant_type":"a","grant_type":"b"}'],
    ["with the same value", '{"grant_type":"refresh_token","grant_type":"refresh_token"}'],
    ["once as null", '{"grant_type":null,"grant_type":"refresh_token"}'],
    ["once escaped", '{"grant_type":"refresh_token","grant\\u005ftype":"refresh_token"}'],
    ["with whitespace around the colon", '{ "grant_type" : "a" ,\n "grant_type"\t: "b" }'],
  ])("refuses a JSON member given twice %s", async (_label, body) => {
    await expectInvalidRequest(await postJson(body, basic), DESCRIPTION.repeated);
  });

  it("does not mistake a value that looks like a member name for a repeat", async () => {
    const refreshToken = await freshToken();
    const body = `{"grant_type":"refresh_token","refresh_token":"${refreshToken}","note":"\\"grant_type\\": x","x":"grant_type"}`;
    await expectTokens(await postJson(body, basic));
  });

  it("refuses a repeat before looking at the credentials", async () => {
    const response = await postToken("grant_type=refresh_token&grant_type=refresh_token&refresh_token=x", {
      "Content-Type": FORM,
      Authorization: basicAuth(client.client_id, "wrong"),
    });
    await expectInvalidRequest(response, DESCRIPTION.repeated);
  });
});

describe("empty parameters", () => {
  it("treats an empty form grant_type as absent", async () => {
    const response = await postForm({ grant_type: "", refresh_token: await freshToken() }, basic);
    await expectInvalidRequest(response, DESCRIPTION.grantTypeRequired);
  });

  it.each([
    ["empty", '""'],
    ["null", "null"],
  ])("treats a JSON grant_type that is %s as absent", async (_label, value) => {
    const response = await postJson(`{"grant_type":${value},"refresh_token":"${await freshToken()}"}`, basic);
    await expectInvalidRequest(response, DESCRIPTION.grantTypeRequired);
  });

  it("treats an empty refresh_token as absent", async () => {
    const response = await postForm({ grant_type: "refresh_token", refresh_token: "" }, basic);
    await expectInvalidRequest(response, DESCRIPTION.refreshTokenRequired);
  });

  it("does not count an empty client_secret in the body as a second authentication method", async () => {
    const response = await postForm(
      { grant_type: "refresh_token", refresh_token: await freshToken(), client_secret: "" },
      basic,
    );
    await expectTokens(response);
  });

  it("answers an empty scope with the grant's whole scope", async () => {
    const response = await postForm(
      { grant_type: "refresh_token", refresh_token: await freshToken(), scope: "" },
      basic,
    );
    expect((await expectTokens(response)).scope).toBe("openid profile email offline_access");
  });

  it("treats an empty client_secret without Basic as a missing secret", async () => {
    const response = await postForm({
      grant_type: "refresh_token",
      refresh_token: await freshToken(),
      client_id: client.client_id,
      client_secret: "",
    });
    await expectInvalidClient(response);
  });
});

describe("query string", () => {
  it("refuses a client_secret in the query even when the body is a valid request", async () => {
    const body = new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: await freshToken(),
      client_id: client.client_id,
      client_secret: client.client_secret!,
    });
    const response = await postToken(
      body.toString(),
      { "Content-Type": FORM },
      `/oauth2/token?client_secret=${client.client_secret}`,
    );
    await expectInvalidRequest(response, DESCRIPTION.secretInQuery);
  });

  it("refuses a client_secret in the query alongside Basic credentials", async () => {
    const body = new URLSearchParams({ grant_type: "refresh_token", refresh_token: await freshToken() });
    const response = await postToken(
      body.toString(),
      { "Content-Type": FORM, ...basic },
      "/oauth2/token?client_secret=x",
    );
    await expectInvalidRequest(response, DESCRIPTION.secretInQuery);
  });

  it("does not read grant_type from the query", async () => {
    const body = new URLSearchParams({ refresh_token: await freshToken() });
    const response = await postToken(
      body.toString(),
      { "Content-Type": FORM, ...basic },
      "/oauth2/token?grant_type=refresh_token",
    );
    await expectInvalidRequest(response, DESCRIPTION.grantTypeRequired);
  });

  it("does not read refresh_token from the query", async () => {
    const response = await postToken(
      "grant_type=refresh_token",
      { "Content-Type": FORM, ...basic },
      `/oauth2/token?refresh_token=${await freshToken()}`,
    );
    await expectInvalidRequest(response, DESCRIPTION.refreshTokenRequired);
  });

  it("does not read client_id from the query", async () => {
    const body = new URLSearchParams({ grant_type: "refresh_token", refresh_token: await freshToken() });
    const response = await postToken(
      body.toString(),
      { "Content-Type": FORM },
      `/oauth2/token?client_id=${client.client_id}`,
    );
    await expectInvalidClient(response, DESCRIPTION.clientAuthRequired);
  });

  it("lets body parameters win over conflicting query parameters", async () => {
    const body = new URLSearchParams({ grant_type: "refresh_token", refresh_token: await freshToken() });
    const response = await postToken(
      body.toString(),
      { "Content-Type": FORM, ...basic },
      "/oauth2/token?grant_type=password&scope=admin&refresh_token=rt_bogus",
    );
    expect((await expectTokens(response)).scope).toBe("openid profile email offline_access");
  });
});
