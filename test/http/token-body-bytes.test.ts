/**
 * The bytes of a token request's body: at most 64 KiB, whether its length is declared, understated
 * or not given (a stream), and past that 413 before the credentials are looked at; and UTF-8, in
 * the raw bytes as in what form decoding and JSON escapes make of them.
 */
import { describe, expect, it } from "vitest";
import { basicAuth } from "../support/token-requests";
import { FORM, basic, bytesOf, client, freshToken, registerClientBeforeAll } from "./support-token-body";
import { DESCRIPTION, expectInvalidRequest, expectTokens, postJson, postToken } from "./support-token-endpoint";

const LIMIT = 64 * 1024;

registerClientBeforeAll();

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
