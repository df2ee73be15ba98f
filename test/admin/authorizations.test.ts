/**
 * The login hand-off through the admin API, its first step: the host application reads a pending
 * authorization request to show its consent screen. It can, with the admin token, for as long as
 * the request is pending: 10 minutes at most, and no longer once it was answered.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { registerClient } from "../support/clients";
import { REDIRECT_URI, completeLogin, startAuthorization } from "../support/code-flow";
import { call } from "../support/worker";
import { waitSeconds } from "../support/clock";
import { NOT_FOUND, client, expectAdminError, read, registerClientBeforeAll } from "./support-authorizations";

registerClientBeforeAll();

/** Puts the real clock back after each test: {@link waitSeconds} fakes it. */
afterEach(() => {
  vi.useRealTimers();
});

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
