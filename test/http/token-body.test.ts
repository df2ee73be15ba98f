/**
 * What the token endpoint reads a request's body as: a form (`application/x-www-form-urlencoded`)
 * or a JSON object, as its Content-Type names it and whatever the case or charset parameter.
 * Either carries the same parameters, credentials included; any other media type, and a JSON body
 * that is not an object of string members, is refused with `invalid_request`.
 */
import { describe, expect, it } from "vitest";
import { call } from "../support/worker";
import { FORM, basic, bytesOf, client, freshToken, registerClientBeforeAll } from "./support-token-body";
import {
  DESCRIPTION,
  expectError,
  expectInvalidRequest,
  expectTokens,
  percentEncodeAll,
  postForm,
  postJson,
  postToken,
} from "./support-token-endpoint";

registerClientBeforeAll();

describe("media type", () => {
  it.each([
    ["text/plain", "text/plain"],
    ["text/plain with a charset", "text/plain;charset=UTF-8"],
    ["a look-alike of the form type", "application/x-www-form-urlencodedx"],
    ["JSON text sequences", "application/json-seq"],
    ["two media types at once", `${FORM}, application/json`],
  ])("refuses %s with invalid_request", async (_label, contentType) => {
    const body = new URLSearchParams({ grant_type: "refresh_token", refresh_token: await freshToken() }).toString();
    const response = await postToken(body, { "Content-Type": contentType, ...basic });
    await expectInvalidRequest(response, DESCRIPTION.mediaType);
  });

  it("refuses multipart/form-data with invalid_request", async () => {
    const form = new FormData();
    form.set("grant_type", "refresh_token");
    form.set("refresh_token", await freshToken());
    const response = await call("/oauth2/token", { method: "POST", headers: basic, body: form });
    await expectInvalidRequest(response, DESCRIPTION.mediaType);
  });

  it("refuses a body without Content-Type with invalid_request", async () => {
    const response = await postToken(bytesOf(`grant_type=refresh_token&refresh_token=${await freshToken()}`), basic);
    await expectInvalidRequest(response, DESCRIPTION.mediaType);
  });

  it("refuses a request with neither body nor Content-Type with invalid_request", async () => {
    await expectInvalidRequest(await postToken(null, basic), DESCRIPTION.mediaType);
  });

  it.each([`${FORM}; charset=UTF-8`, `${FORM};charset=utf-8`, "Application/X-WWW-Form-Urlencoded"])(
    "accepts a form body sent as %s",
    async (contentType) => {
      const body = new URLSearchParams({ grant_type: "refresh_token", refresh_token: await freshToken() });
      await expectTokens(await postToken(body.toString(), { "Content-Type": contentType, ...basic }));
    },
  );

  it.each(["application/json; charset=utf-8", "APPLICATION/JSON"])("accepts a JSON body sent as %s", async (type) => {
    const body = JSON.stringify({ grant_type: "refresh_token", refresh_token: await freshToken() });
    await expectTokens(await postToken(body, { "Content-Type": type, ...basic }));
  });
});

describe("form and JSON bodies", () => {
  it("rotates a refresh token sent in a JSON body with client_secret_post", async () => {
    const refreshToken = await freshToken();
    const response = await postJson({
      grant_type: "refresh_token",
      refresh_token: refreshToken,
      client_id: client.client_id,
      client_secret: client.client_secret,
    });
    const body = await expectTokens(response);
    expect(body.refresh_token).toEqual(expect.stringMatching(/^rt_/));
    expect(body.refresh_token).not.toBe(refreshToken);
  });

  it("rotates a refresh token sent in a form body with client_secret_post", async () => {
    const refreshToken = await freshToken();
    const response = await postForm({
      grant_type: "refresh_token",
      refresh_token: refreshToken,
      client_id: client.client_id,
      client_secret: client.client_secret!,
    });
    const body = await expectTokens(response);
    expect(body.refresh_token).not.toBe(refreshToken);
  });

  it("rotates a refresh token sent in a JSON body with client_secret_basic", async () => {
    const response = await postJson({ grant_type: "refresh_token", refresh_token: await freshToken() }, basic);
    await expectTokens(response);
  });

  it("form-decodes names and values", async () => {
    const refreshToken = await freshToken();
    const body = `${percentEncodeAll("grant_type")}=${percentEncodeAll("refresh_token")}&refresh_token=${percentEncodeAll(refreshToken)}`;
    await expectTokens(await postToken(body, { "Content-Type": FORM, ...basic }));
  });

  it("reads JSON escapes in names and values", async () => {
    const refreshToken = await freshToken();
    const body = `{"grant\\u005ftype":"refresh\\u005ftoken","refresh_token":"${refreshToken}"}`;
    await expectTokens(await postJson(body, basic));
  });

  it("ignores unknown parameters", async () => {
    const response = await postForm(
      { grant_type: "refresh_token", refresh_token: await freshToken(), audience: "x", foo: "bar" },
      basic,
    );
    await expectTokens(response);
  });
});

describe("JSON values", () => {
  it.each([
    ["an array", '["grant_type","refresh_token"]'],
    ["a string", '"grant_type=refresh_token"'],
    ["a number", "42"],
    ["true", "true"],
    ["null", "null"],
  ])("refuses a JSON body that is %s", async (_label, body) => {
    await expectInvalidRequest(await postJson(body, basic), DESCRIPTION.notObject);
  });

  it.each([
    ["empty", ""],
    ["truncated", '{"grant_type":"refresh_token"'],
    ["single-quoted", "{'grant_type':'refresh_token'}"],
    ["trailing comma", '{"grant_type":"refresh_token",}'],
    ["a form body", "grant_type=refresh_token"],
  ])("refuses a JSON body that is not JSON (%s)", async (_label, body) => {
    await expectInvalidRequest(await postJson(body, basic), DESCRIPTION.notJson);
  });

  it.each([
    ["a number", "42"],
    ["a boolean", "true"],
    ["an array", '["refresh_token"]'],
    ["an object", '{"value":"refresh_token"}'],
  ])("refuses a parameter whose JSON value is %s", async (_label, value) => {
    await expectInvalidRequest(await postJson(`{"grant_type":${value}}`, basic), DESCRIPTION.notString);
  });

  it("refuses a non-string value even in a parameter Baton does not read", async () => {
    const body = `{"grant_type":"refresh_token","refresh_token":"${await freshToken()}","extra":1}`;
    await expectInvalidRequest(await postJson(body, basic), DESCRIPTION.notString);
  });

  it("refuses a deeply nested JSON body without failing", async () => {
    const body = `{"grant_type":${"[".repeat(20_000)}${"]".repeat(20_000)}}`;
    await expectInvalidRequest(await postJson(body, basic), DESCRIPTION.notString);
  });

  it("refuses a bad media type before the body is even read", async () => {
    const response = await postToken("{not json", { "Content-Type": "text/json", ...basic });
    await expectError(response, { status: 400, error: "invalid_request", description: DESCRIPTION.mediaType });
  });
});
