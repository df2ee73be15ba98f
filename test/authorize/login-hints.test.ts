/**
 * prompt, max_age, login_hint, acr_values and ui_locales reach the host application with the
 * pending request, and the login's answer is held to max_age and prompt=login (OIDC Core
 * §3.1.2.1): an authentication too old is `login_required`, and the request stays pending.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { expectError } from "../http/support-token-endpoint";
import { registerClient, type TestClient } from "../support/clients";
import {
  aliceLogin,
  authorizationQuery,
  authorize,
  complete,
  expectErrorRedirect,
  expectLoginHandOff,
} from "../support/code-flow";
import { admin } from "../support/worker";

let client: TestClient;

beforeAll(async () => {
  client = await registerClient();
});

const LOGIN_REQUIRED = {
  status: 400,
  error: "login_required",
  description: "The request asks for a more recent authentication (max_age or prompt=login) than auth_time.",
};

async function pending(extra: Record<string, string>): Promise<string> {
  const { query } = await authorizationQuery(client, { extra });
  return expectLoginHandOff(await authorize(query));
}

const now = () => Math.floor(Date.now() / 1000);

describe("what the host application is told", () => {
  it("shows prompt, max_age, login_hint, acr_values and ui_locales as the client sent them", async () => {
    const id = await pending({
      prompt: "login consent",
      max_age: "300",
      login_hint: "ada@example.com",
      acr_values: "urn:mace:incommon:iap:silver",
      ui_locales: "fr-CA fr en",
    });

    expect(await (await admin("GET", `/admin/authorizations/${id}`)).json()).toMatchObject({
      prompt: ["login", "consent"],
      max_age: 300,
      login_hint: "ada@example.com",
      acr_values: "urn:mace:incommon:iap:silver",
      ui_locales: "fr-CA fr en",
    });
  });

  it("leaves them out when the client sent none", async () => {
    const view = await (
      await admin("GET", `/admin/authorizations/${await pending({})}`)
    ).json<Record<string, unknown>>();

    expect(view.prompt).toEqual([]);
    for (const member of ["max_age", "login_hint", "acr_values", "ui_locales"]) expect(view).not.toHaveProperty(member);
  });

  it.each([["-1"], ["1.5"], ["soon"], ["1e3"]])(
    "refuses max_age=%s with an invalid_request redirect",
    async (maxAge) => {
      const { query, state } = await authorizationQuery(client, { extra: { max_age: maxAge } });

      expectErrorRedirect(await authorize(query), {
        error: "invalid_request",
        description: "max_age must be a whole number of seconds.",
        state,
      });
    },
  );
});

describe("the login's answer, held to max_age and prompt=login", () => {
  it("refuses an hour-old authentication for max_age=0, and the request stays pending", async () => {
    const id = await pending({ max_age: "0" });

    await expectError(await complete(id, aliceLogin({ auth_time: now() - 3600 })), LOGIN_REQUIRED);

    expect((await admin("GET", `/admin/authorizations/${id}`)).status).toBe(200);
    expect((await complete(id, aliceLogin({ auth_time: now() }))).status).toBe(200);
  });

  it("accepts an authentication younger than max_age", async () => {
    const id = await pending({ max_age: "3600" });

    expect((await complete(id, aliceLogin({ auth_time: now() - 600 }))).status).toBe(200);
  });

  it("refuses, for prompt=login, an authentication from before the request", async () => {
    const id = await pending({ prompt: "login" });

    await expectError(await complete(id, aliceLogin({ auth_time: now() - 60 })), LOGIN_REQUIRED);
    expect((await complete(id, aliceLogin())).status).toBe(200);
  });

  it("accepts an old authentication when neither was asked for", async () => {
    const id = await pending({});

    expect((await complete(id, aliceLogin({ auth_time: now() - 86_400 }))).status).toBe(200);
  });
});
