import { beforeAll, describe, expect, it } from "vitest";
import { registerClient, type TestClient } from "../support/clients";
import { startFamily } from "../support/families";
import { basicAuth } from "../support/token-requests";
import { call } from "../support/worker";
import {
  DESCRIPTION,
  expectError,
  expectInvalidClient,
  expectInvalidRequest,
  expectTokens,
  percentEncodeAll,
  postForm,
  postJson,
  postToken,
} from "./support-token-endpoint";

const FORM = "application/x-www-form-urlencoded";
const LIMIT = 64 * 1024;

let client: TestClient;
let basic: Record<string, string>;

beforeAll(async () => {
  client = await registerClient();
  basic = { Authorization: basicAuth(client.client_id, client.client_secret!) };
});

/** A fresh refresh token of `client`, good for one rotation. */
async function freshToken(): Promise<string> {
  return (await startFamily(client.client_id)).tokens.refresh_token;
}

/** The bytes of `text` followed by `extra` raw bytes. */
function bytesOf(text: string, ...extra: number[]): Uint8Array {
  return new Uint8Array([...new TextEncoder().encode(text), ...extra]);
}

/** A stream that yields `total` bytes of a form body in 1 KiB chunks, with no declared length. */
function streamOf(prefix: string, total: number): ReadableStream<Uint8Array> {
  let sent = 0;
  const head = new TextEncoder().encode(prefix);
  return new ReadableStream({
    pull(controller) {
      if (sent >= total) return controller.close();
      const chunk = new Uint8Array(Math.min(1024, total - sent)).fill(0x61);
      if (sent === 0) chunk.set(head.subarray(0, chunk.length));
      sent += chunk.length;
      controller.enqueue(chunk);
    },
  });
}

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

describe("body size", () => {
  it("accepts a body of exactly 64 KiB", async () => {
    const head = `grant_type=refresh_token&refresh_token=${await freshToken()}&padding=`;
    const body = head + "a".repeat(LIMIT - head.length);
    expect(body.length).toBe(LIMIT);
    await expectTokens(await postToken(body, { "Content-Type": FORM, ...basic }));
  });

  it("refuses a body one byte over 64 KiB with 413", async () => {
    const head = `grant_type=refresh_token&refresh_token=${await freshToken()}&padding=`;
    const response = await postToken(head + "a".repeat(LIMIT + 1 - head.length), { "Content-Type": FORM, ...basic });
    await expectInvalidRequest(response, DESCRIPTION.tooLarge, 413);
  });

  it("refuses a declared Content-Length over 64 KiB with 413 before reading the body", async () => {
    const response = await postToken(`grant_type=refresh_token&refresh_token=${await freshToken()}`, {
      "Content-Type": FORM,
      "Content-Length": String(LIMIT + 1),
      ...basic,
    });
    await expectInvalidRequest(response, DESCRIPTION.tooLarge, 413);
  });

  it("refuses a body over 64 KiB whose declared Content-Length understates it", async () => {
    const head = `grant_type=refresh_token&refresh_token=${await freshToken()}&padding=`;
    const response = await postToken(head + "a".repeat(LIMIT + 1 - head.length), {
      "Content-Type": FORM,
      "Content-Length": "0",
      ...basic,
    });
    await expectInvalidRequest(response, DESCRIPTION.tooLarge, 413);
  });

  it("refuses a streamed body without Content-Length once it passes 64 KiB", async () => {
    const body = streamOf("grant_type=refresh_token&padding=", 1024 * 1024);
    const response = await postToken(body, { "Content-Type": FORM, ...basic });
    await expectInvalidRequest(response, DESCRIPTION.tooLarge, 413);
  });

  it("reads a streamed body without Content-Length under 64 KiB", async () => {
    const head = `grant_type=refresh_token&refresh_token=${await freshToken()}&padding=`;
    const response = await postToken(streamOf(head, LIMIT), { "Content-Type": FORM, ...basic });
    await expectTokens(response);
  });

  it("refuses a JSON body over 64 KiB with 413", async () => {
    const body = JSON.stringify({ grant_type: "refresh_token", padding: "a".repeat(LIMIT) });
    await expectInvalidRequest(await postJson(body, basic), DESCRIPTION.tooLarge, 413);
  });

  it("refuses an oversized body before looking at the credentials", async () => {
    const response = await postToken("a".repeat(LIMIT + 1), {
      "Content-Type": FORM,
      Authorization: basicAuth(client.client_id, "wrong"),
    });
    await expectInvalidRequest(response, DESCRIPTION.tooLarge, 413);
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

describe("character encoding", () => {
  it("refuses a form body whose bytes are not UTF-8", async () => {
    const response = await postToken(bytesOf("grant_type=refresh_token&x=", 0xff, 0xfe), {
      "Content-Type": FORM,
      ...basic,
    });
    await expectInvalidRequest(response, DESCRIPTION.notUtf8);
  });

  it("refuses a JSON body whose bytes are not UTF-8", async () => {
    const response = await postToken(bytesOf('{"grant_type":"refresh_token","x":"', 0xc3, 0x28, 0x22, 0x7d), {
      "Content-Type": "application/json",
      ...basic,
    });
    await expectInvalidRequest(response, DESCRIPTION.notUtf8);
  });

  it.each([
    ["a lone continuation byte", "%80"],
    ["a truncated sequence", "%E2%82"],
    ["an overlong encoding", "%C0%AF"],
    ["an encoded surrogate", "%ED%A0%80"],
  ])("refuses a form value that percent-decodes to %s", async (_label, encoded) => {
    const response = await postToken(`grant_type=refresh_token&refresh_token=${encoded}`, {
      "Content-Type": FORM,
      ...basic,
    });
    await expectInvalidRequest(response, DESCRIPTION.notUtf8);
  });

  it("refuses a form name that percent-decodes to bytes that are not UTF-8", async () => {
    const response = await postToken(`grant_type=refresh_token&%FF=x`, { "Content-Type": FORM, ...basic });
    await expectInvalidRequest(response, DESCRIPTION.notUtf8);
  });

  it.each([
    ["a lone high surrogate", '"\\ud800"'],
    ["a lone low surrogate", '"\\udc00"'],
  ])("refuses a JSON value escaping %s", async (_label, value) => {
    const response = await postJson(`{"grant_type":"refresh_token","client_id":${value}}`);
    await expectInvalidRequest(response, DESCRIPTION.notUtf8);
  });

  it("refuses a JSON member name escaping a lone surrogate", async () => {
    const response = await postJson(`{"grant_type":"refresh_token","\\ud800":"x"}`, basic);
    await expectInvalidRequest(response, DESCRIPTION.notUtf8);
  });

  it("accepts escaped surrogate pairs in JSON", async () => {
    const body = `{"grant_type":"refresh_token","refresh_token":"${await freshToken()}","note":"\\ud83d\\ude00"}`;
    await expectTokens(await postJson(body, basic));
  });

  it("keeps a stray percent sign that starts no escape, as form decoding does", async () => {
    const response = await postToken(`grant_type=refresh_token&refresh_token=${await freshToken()}&note=100%`, {
      "Content-Type": FORM,
      ...basic,
    });
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
