/**
 * What the host application's completion of a login must look like: a JSON object, with a
 * subject of 1 to 255 characters and claims, organization_id, scope and auth_time of the right
 * types, sent with the admin token. Anything else is refused (400 `invalid_request`, or 401
 * without the token), and the request stays pending, to be completed rightly.
 */
import { describe, expect, it } from "vitest";
import { aliceLogin, complete, startAuthorization } from "../support/code-flow";
import { ADMIN_TOKEN, call } from "../support/worker";
import { client, expectAdminError, read, registerClientBeforeAll } from "./support-authorizations";

registerClientBeforeAll();

describe("POST /admin/authorizations/ID/complete", () => {
  it.each([
    [
      "a body that is not JSON",
      "subject=user_alice",
      "application/x-www-form-urlencoded",
      "The body must be application/json.",
    ],
    ["malformed JSON", "{", "application/json", "The body is not valid JSON."],
    ["an array", "[]", "application/json", "The JSON body must be an object."],
    ["no body", "", "application/json", "The body is not valid JSON."],
  ])("refuses %s with invalid_request", async (_case, body, contentType, description) => {
    const started = await startAuthorization(client);
    const response = await call(`/admin/authorizations/${started.id}/complete`, {
      method: "POST",
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": contentType },
      body,
    });
    await expectAdminError(response, 400, { error: "invalid_request", error_description: description });
    expect((await read(started.id)).status).toBe(200);
  });

  const SUBJECT = "subject must be a string of 1 to 255 characters.";
  const UNADDRESSABLE = 'subject must not be "." or "..", nor hold an unpaired surrogate.';
  it.each([
    ["no subject", {}, SUBJECT],
    ["an empty subject", { subject: "" }, SUBJECT],
    ["a numeric subject", { subject: 123 }, SUBJECT],
    ["a subject over 255 characters", { subject: "u".repeat(256) }, SUBJECT],
    // No admin path can name these (dot segments; no UTF-8 for a lone surrogate): such a user
    // could never be listed or signed out everywhere.
    ["the subject .", { subject: "." }, UNADDRESSABLE],
    ["the subject ..", { subject: ".." }, UNADDRESSABLE],
    ["a subject with an unpaired surrogate", { subject: "x\ud800" }, UNADDRESSABLE],
    [
      "claims nested thousands of levels deep",
      { subject: "u", claims: { x: JSON.parse("[".repeat(4000) + "]".repeat(4000)) } },
      "claims may nest at most three levels deep.",
    ],
    ["a subject with a NUL", { subject: "user\u00001" }, "subject must not hold a control character."],
    ["a subject with a line break", { subject: "user\n1" }, "subject must not hold a control character."],
    ["a subject with a line separator", { subject: "user\u20281" }, "subject must not hold a control character."],
    ["a subject with a bidi override", { subject: "user\u202e1" }, "subject must not hold a control character."],
    ["a subject with a byte order mark", { subject: "\ufeffuser1" }, "subject must not hold a control character."],
    [
      "an organization_id with a zero-width space",
      { subject: "u", organization_id: "org\u200b1" },
      "organization_id must not hold a control character.",
    ],
    [
      "an organization_id with a tab",
      { subject: "u", organization_id: "org\t1" },
      "organization_id must not hold a control character.",
    ],
    ["claims that are an array", { subject: "u", claims: [] }, "claims must be an object."],
    ["claims that are a string", { subject: "u", claims: "email" }, "claims must be an object."],
    ["a numeric email", { subject: "u", claims: { email: 1 } }, "claims.email has the wrong type."],
    ["a name that is an object", { subject: "u", claims: { name: {} } }, "claims.name has the wrong type."],
    [
      "email_verified as a string",
      { subject: "u", claims: { email_verified: "true" } },
      "claims.email_verified has the wrong type.",
    ],
    [
      "a numeric organization_id",
      { subject: "u", organization_id: 1 },
      "organization_id must be a string of 1 to 200 characters.",
    ],
    [
      "an empty organization_id",
      { subject: "u", organization_id: "" },
      "organization_id must be a string of 1 to 200 characters.",
    ],
    ["a scope that is an array", { subject: "u", scope: ["openid"] }, "scope must be a space-separated string."],
    [
      "a scope that breaks RFC 6749 syntax",
      { subject: "u", scope: 'openid "email"' },
      "scope must be a space-separated string.",
    ],
    ["an empty scope", { subject: "u", scope: "" }, "scope must be a space-separated string."],
    [
      "auth_time as a string",
      { subject: "u", auth_time: "1700000000" },
      "auth_time must be a time in seconds, not in the future.",
    ],
    [
      "a fractional auth_time",
      { subject: "u", auth_time: 1700000000.5 },
      "auth_time must be a time in seconds, not in the future.",
    ],
    [
      "a negative auth_time",
      { subject: "u", auth_time: -1 },
      "auth_time must be a time in seconds, not in the future.",
    ],
    [
      "an auth_time an hour ahead",
      { subject: "u", auth_time: Math.floor(Date.now() / 1000) + 3600 },
      "auth_time must be a time in seconds, not in the future.",
    ],
  ])("refuses %s with invalid_request, and the request stays pending", async (_case, body, description) => {
    const started = await startAuthorization(client);
    await expectAdminError(await complete(started.id, body), 400, {
      error: "invalid_request",
      error_description: description,
    });
    expect((await read(started.id)).status).toBe(200);
  });

  it("needs the admin token, and a refused call leaves the request pending", async () => {
    const started = await startAuthorization(client);
    const response = await call(`/admin/authorizations/${started.id}/complete`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(aliceLogin()),
    });
    expect(response.status).toBe(401);
    expect((await read(started.id)).status).toBe(200);
  });
});
