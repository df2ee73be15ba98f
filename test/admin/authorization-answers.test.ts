/**
 * The login hand-off through the admin API, its answer: the host application completes a pending
 * authorization request (the client gets a code, for the subject, claims, organization and scope
 * it was given) or denies it (the client gets `access_denied`). A request is answered once: a
 * later or simultaneous answer is 409, and one past its 10 minutes is 404.
 *
 * @see RFC 6749 §4.1.2 and §4.1.2.1, RFC 9207
 */
import { afterEach, describe, expect, it, vi } from "vitest";
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
import { BASE } from "../support/worker";
import { waitSeconds } from "../support/clock";
import { NOT_FOUND, client, deny, expectAdminError, read, registerClientBeforeAll } from "./support-authorizations";

const CONFLICT = { error: "conflict", error_description: "The authorization request was already answered." };

registerClientBeforeAll();

/** Puts the real clock back after each test: {@link waitSeconds} fakes it. */
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

  it("answers 409 to a later completion that would have been refused for itself, as a first answer", async () => {
    const started = await startAuthorization(client, { extra: { max_age: "60" } });
    await completeLogin(started.id);
    await expectAdminError(await complete(started.id, aliceLogin({ scope: "openid admin" })), 409, CONFLICT);
    const stale = Math.floor(Date.now() / 1000) - 3600;
    await expectAdminError(await complete(started.id, aliceLogin({ auth_time: stale })), 409, CONFLICT);
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
