/**
 * JSON bodies that give one object a member name twice: `JSON.parse` would keep the last, a
 * proxy in front may read the first, so such a body is refused (RFC 7493 §2.3).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { repeatsMemberName } from "../../src/http/repeated-names";
import { expectInvalidRequest } from "./support-token-endpoint";
import { register } from "../registration/registration-support";
import { ADMIN_TOKEN, call } from "../support/worker";

async function clientCount(): Promise<number> {
  return (await env.CLIENTS.list({ prefix: "client:" })).keys.length;
}

describe("repeatsMemberName", () => {
  it.each<[string, string, boolean]>([
    ['{"a":1,"a":2}', "a repeat at the top", true],
    ['{"x":{"b":1,"b":[]}}', "a repeat in a nested object", true],
    ['[{"c":1},{"d":{"e":1,"e":1}}]', "a repeat in an object inside an array", true],
    ['{"a":1,"\\u0061":2}', "a repeat spelled once escaped", true],
    ['{ "a" : 1 ,\n\t"a"\r\n: 2 }', "a repeat with whitespace around the colon", true],
    ['{"a":1,"b":2}', "distinct names", false],
    ['{"a":{"a":{"a":1}}}', "one name at several depths", false],
    ['[{"a":1},{"a":2}]', "one name in sibling objects", false],
    ['{"a":"a","b":["a","a"]}', "repeated string values", false],
    ['{"a":"}{\\"a\\":","b":"\\\\","a\\"":1}', "braces, quotes and backslashes inside strings", false],
    ['{"A":1,"a":2}', "names that differ in case", false],
  ])("%s: %s → %s", (text, _label, repeats) => {
    JSON.parse(text);
    expect(repeatsMemberName(text)).toBe(repeats);
  });
});

describe("a repeated member name in a request body", () => {
  const DESCRIPTION = "The JSON body gives a member name twice in one object.";

  it("is refused at dynamic registration with invalid_request, and registers nothing", async () => {
    const before = await clientCount();
    const body = '{"redirect_uris":["https://app.example/cb"],"redirect_uris":["https://evil.example/cb"]}';
    await expectInvalidRequest(await register(body), DESCRIPTION);
    expect(await clientCount()).toBe(before);
  });

  it("is refused by the admin API with invalid_request, and creates nothing", async () => {
    const before = await clientCount();
    const response = await call("/admin/clients", {
      method: "POST",
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
      body: '{"client_name":"One","client_name":"Two","redirect_uris":["https://app.example/cb"]}',
    });
    await expectInvalidRequest(response, DESCRIPTION);
    expect(await clientCount()).toBe(before);
  });
});
