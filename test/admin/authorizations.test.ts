/**
 * The login hand-off through the admin API: the host application reads a pending authorization
 * request, then completes it (the client gets a code) or denies it (the client gets
 * `access_denied`).
 *
 * @see RFC 6749 §4.1.2 and §4.1.2.1, RFC 9207
 */
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { registerClient, type TestClient } from "../support/clients";
import {
  REDIRECT_URI,
  aliceLogin,
  complete,
  completeLogin,
  expectErrorRedirectUrl,
  jwtPayload,
  redeem,
  startAuthorization,
  type CodeTokens,
} from "../support/code-flow";
import { ALICE } from "../support/families";
import { ADMIN_TOKEN, BASE, admin, call } from "../support/worker";
import { waitSeconds } from "../support/clock";

const NOT_FOUND = { error: "not_found", error_description: "No such pending authorization request." };
const CONFLICT = { error: "conflict", error_description: "The authorization request was already answered." };

let client: TestClient;

beforeAll(async () => {
  client = await registerClient({ client_name: "Looking Glass", organization_id: "org_client" });
});

/** Asserts a JSON error answer of the admin API: status, whole body, no-store headers. */
async function expectAdminError(response: Response, status: number, body: Record<string, string>): Promise<void> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(JSON.parse(text)).toEqual(body);
  expect(response.headers.get("Content-Type")).toBe("application/json");
  expect(response.headers.get("Cache-Control")).toBe("no-store");
  expect(response.headers.get("Pragma")).toBe("no-cache");
}

function read(id: string): Promise<Response> {
  return admin("GET", `/admin/authorizations/${id}`);
}

function deny(id: string): Promise<Response> {
  return admin("POST", `/admin/authorizations/${id}/deny`);
}

/**
 * Moves the clock `seconds` ahead, as waiting would have: a pending request is sealed into its
 * id, with its times, so only the clock can age it. Undone after each test.
 */
afterEach(() => {
  vi.useRealTimers();
});

/** Redeems the code of `redirect` and returns the tokens. */
async function tokensOf(redirect: URL, started: { redirectUri: string; codeVerifier?: string }): Promise<CodeTokens> {
  const code = redirect.searchParams.get("code")!;
  const response = await redeem(client, { code, redirectUri: started.redirectUri, codeVerifier: started.codeVerifier });
  expect(response.status).toBe(200);
  return response.json();
}

describe("GET /admin/authorizations/ID", () => {
  it("describes the pending request for the consent screen", async () => {
    const started = await startAuthorization(client, { scope: "openid email" });
    const response = await read(started.id);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/json");
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    expect(await response.json()).toEqual({
      client_id: client.client_id,
      client_name: "Looking Glass",
      scope: "openid email",
      redirect_uri: REDIRECT_URI,
      expires_at: expect.any(Number),
      resource: [],
      prompt: [],
      client_kind: "registered",
    });
  });

  it("leaves client_name out for a client registered without one", async () => {
    const nameless = await registerClient({ client_name: undefined });
    const started = await startAuthorization(nameless);
    expect(await (await read(started.id)).json()).toEqual({
      client_id: nameless.client_id,
      scope: "openid profile email offline_access",
      redirect_uri: REDIRECT_URI,
      expires_at: expect.any(Number),
      resource: [],
      prompt: [],
      client_kind: "registered",
    });
  });

  it.each([
    ["an id Baton never issued", "AAAAAAAAAAAAAAAAAAAAAA"],
    ["a malformed id", "not-an-id"],
    ["an id one character short", "AAAAAAAAAAAAAAAAAAAAA"],
    ["a very long id", "A".repeat(4000)],
  ])("answers 404 for %s", async (_case, id) => {
    await expectAdminError(await read(id), 404, NOT_FOUND);
  });

  it("answers 404 once the request is more than 10 minutes old", async () => {
    const started = await startAuthorization(client);
    waitSeconds(601);
    await expectAdminError(await read(started.id), 404, NOT_FOUND);
  });

  it("still describes a request just under 10 minutes old", async () => {
    const started = await startAuthorization(client);
    waitSeconds(595);
    expect((await read(started.id)).status).toBe(200);
  });

  it("answers 404 once the request was completed", async () => {
    const started = await startAuthorization(client);
    await completeLogin(started.id);
    await expectAdminError(await read(started.id), 404, NOT_FOUND);
  });

  it("needs the admin token", async () => {
    const started = await startAuthorization(client);
    const response = await call(`/admin/authorizations/${started.id}`);
    expect(response.status).toBe(401);
  });
});

describe("POST /admin/authorizations/ID/complete", () => {
  it("answers with the redirect to the client carrying exactly code, state and iss", async () => {
    const started = await startAuthorization(client);
    const response = await complete(started.id);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/json");
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const body = await response.json<{ redirect_to: string }>();
    expect(Object.keys(body)).toEqual(["redirect_to"]);
    const redirect = new URL(body.redirect_to);
    expect(redirect.origin + redirect.pathname).toBe(REDIRECT_URI);
    expect([...redirect.searchParams.keys()]).toEqual(["code", "state", "iss"]);
    expect(redirect.searchParams.get("state")).toBe(started.state);
    expect(redirect.searchParams.get("iss")).toBe(BASE);
    expect(redirect.searchParams.get("code")).toMatch(/^ac_[A-Za-z0-9_-]{86}$/);
  });

  it("sends no state when the request had none", async () => {
    const started = await startAuthorization(client, { extra: { state: "" } });
    const redirect = await completeLogin(started.id);
    expect([...redirect.searchParams.keys()]).toEqual(["code", "iss"]);
  });

  it("gives codes that differ from request to request", async () => {
    const first = await completeLogin((await startAuthorization(client)).id);
    const second = await completeLogin((await startAuthorization(client)).id);
    expect(first.searchParams.get("code")).not.toBe(second.searchParams.get("code"));
  });

  it("answers 409 to a second completion, and the first code stays good", async () => {
    const started = await startAuthorization(client);
    const redirect = await completeLogin(started.id);
    await expectAdminError(await complete(started.id, aliceLogin({ subject: "user_mallory" })), 409, CONFLICT);
    await expectAdminError(await deny(started.id), 409, CONFLICT);
    const tokens = await tokensOf(redirect, started);
    expect(jwtPayload(tokens.access_token).sub).toBe("user_alice");
  });

  it("lets exactly one of simultaneous answers win; the others learn it was already answered", async () => {
    const started = await startAuthorization(client);
    const responses = await Promise.all([
      complete(started.id, aliceLogin()),
      complete(started.id, aliceLogin({ subject: "user_bob" })),
      deny(started.id),
    ]);
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([200, 409, 409]);
  });

  it("answers 404 for an unknown id and for a request past its 10 minutes", async () => {
    await expectAdminError(await complete("AAAAAAAAAAAAAAAAAAAAAA"), 404, NOT_FOUND);
    await expectAdminError(await complete("not-an-id"), 404, NOT_FOUND);
    const started = await startAuthorization(client);
    waitSeconds(601);
    await expectAdminError(await complete(started.id), 404, NOT_FOUND);
  });

  it("grants the whole requested scope by default", async () => {
    const started = await startAuthorization(client, { scope: "openid email offline_access" });
    const tokens = await tokensOf(await completeLogin(started.id), started);
    expect(tokens.scope).toBe("openid email offline_access");
    expect(tokens.refresh_token).toEqual(expect.any(String));
  });

  it("grants a narrower scope when the host application says so", async () => {
    const started = await startAuthorization(client, { scope: "openid email offline_access" });
    const tokens = await tokensOf(await completeLogin(started.id, aliceLogin({ scope: "email  openid" })), started);
    expect(tokens.scope).toBe("email openid");
    expect(tokens.refresh_token).toBeUndefined();
    expect(jwtPayload(tokens.id_token!).email).toBe(ALICE.email);
  });

  it("refuses a granted scope beyond the requested one with invalid_scope, and the request stays pending", async () => {
    const started = await startAuthorization(client, { scope: "openid email" });
    await expectAdminError(await complete(started.id, aliceLogin({ scope: "openid email profile" })), 400, {
      error: "invalid_scope",
      error_description: "The granted scope must be a subset of the requested scope.",
    });
    expect((await read(started.id)).status).toBe(200);
    await completeLogin(started.id);
  });

  it("puts the subject, claims, organization and auth_time it was given into the tokens", async () => {
    const started = await startAuthorization(client);
    const authTime = Math.floor(Date.now() / 1000) - 120;
    const redirect = await completeLogin(
      started.id,
      aliceLogin({ subject: "user_123", organization_id: "org_1", auth_time: authTime, claims: { email: "a@b.c" } }),
    );
    const tokens = await tokensOf(redirect, started);
    expect(jwtPayload(tokens.access_token)).toMatchObject({ sub: "user_123", org_id: "org_1" });
    const id = jwtPayload(tokens.id_token!);
    expect(id).toMatchObject({ sub: "user_123", auth_time: authTime, email: "a@b.c", nonce: started.nonce });
    expect(id.name).toBeUndefined();
  });

  it("uses the client's organization when the login names none, and now as auth_time", async () => {
    const started = await startAuthorization(client);
    const before = Math.floor(Date.now() / 1000);
    const tokens = await tokensOf(await completeLogin(started.id, { subject: "user_alice" }), started);
    expect(jwtPayload(tokens.access_token).org_id).toBe("org_client");
    const authTime = jwtPayload(tokens.id_token!).auth_time as number;
    expect(authTime).toBeGreaterThanOrEqual(before);
    expect(authTime).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });

  it("ignores members it does not know, and keeps every claim it is given", async () => {
    const started = await startAuthorization(client);
    const redirect = await completeLogin(started.id, {
      subject: "user_alice",
      claims: { email: "alice@example.com", picture: "https://x/y.png", groups: ["admins"] },
      remember_me: true,
    });
    const id = jwtPayload((await tokensOf(redirect, started)).id_token!);
    expect(id).toMatchObject({ email: "alice@example.com", picture: "https://x/y.png", groups: ["admins"] });
    expect(id).not.toHaveProperty("remember_me");
  });

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
  it.each([
    ["no subject", {}, SUBJECT],
    ["an empty subject", { subject: "" }, SUBJECT],
    ["a numeric subject", { subject: 123 }, SUBJECT],
    ["a subject over 255 characters", { subject: "u".repeat(256) }, SUBJECT],
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

describe("POST /admin/authorizations/ID/deny", () => {
  it("answers with the redirect to the client carrying access_denied, state and iss", async () => {
    const started = await startAuthorization(client);
    const response = await deny(started.id);
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const body = await response.json<{ redirect_to: string }>();
    expect(Object.keys(body)).toEqual(["redirect_to"]);
    expectErrorRedirectUrl(new URL(body.redirect_to), {
      error: "access_denied",
      description: "The user or the application denied the request.",
      state: started.state,
    });
  });

  it("answers the request for good: no longer readable, and a later answer is 409", async () => {
    const started = await startAuthorization(client);
    expect((await deny(started.id)).status).toBe(200);
    await expectAdminError(await read(started.id), 404, NOT_FOUND);
    await expectAdminError(await complete(started.id), 409, CONFLICT);
    await expectAdminError(await deny(started.id), 409, CONFLICT);
  });

  it("answers 404 for an unknown id and for a request past its 10 minutes", async () => {
    await expectAdminError(await deny("AAAAAAAAAAAAAAAAAAAAAA"), 404, NOT_FOUND);
    const started = await startAuthorization(client);
    waitSeconds(601);
    await expectAdminError(await deny(started.id), 404, NOT_FOUND);
  });
});
