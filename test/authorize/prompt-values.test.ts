/**
 * `prompt` at GET /oauth2/authorize: only the values OIDC defines (Core's four, and `create` for
 * sign-up) reach the host application, a repeat counts once, any other value is dropped (OIDC
 * Core's errata advise ignoring what is not understood), and `none` with another value is an
 * `invalid_request` redirect whose description never echoes what was sent.
 *
 * @see OIDC Core §3.1.2.1, RFC 6749 §4.1.2.1
 */
import { beforeAll, describe, expect, it } from "vitest";
import { registerClient, type TestClient } from "../support/clients";
import { authorizationQuery, authorize, expectErrorRedirect, expectLoginHandOff } from "../support/code-flow";
import { admin } from "../support/worker";

let client: TestClient;

beforeAll(async () => {
  client = await registerClient();
});

async function shownPrompt(prompt: string): Promise<unknown> {
  const { query } = await authorizationQuery(client, { extra: { prompt } });
  const id = expectLoginHandOff(await authorize(query));
  return (await (await admin("GET", `/admin/authorizations/${id}`)).json<{ prompt: unknown }>()).prompt;
}

describe("prompt: what the host application is shown", () => {
  it.each([
    ["select_account", ["select_account"]],
    ["login consent select_account", ["login", "consent", "select_account"]],
    ["  login   consent ", ["login", "consent"]],
    ["consent login consent login", ["consent", "login"]],
    ["create", ["create"]],
  ])("shows prompt=%j as %j", async (prompt, shown) => {
    expect(await shownPrompt(prompt)).toEqual(shown);
  });
});

describe("prompt: values OIDC does not define are dropped, never handed on", () => {
  it.each([
    ["a NUL and a line feed", "\u0000\n", []],
    ["5,000 characters", "x".repeat(5000), []],
    ["a value OIDC does not define", "login register", ["login"]],
    ["a value in the wrong case", "LOGIN", []],
    ["values separated by a tab", "login\tconsent", []],
    ["a value glued to none", "none,login", []],
  ])("drops %s", async (_label, prompt, shown) => {
    expect(await shownPrompt(prompt)).toEqual(shown);
  });
});

describe("prompt: refused with an error redirect", () => {
  it.each([["none login"], ["select_account none"], ["none none consent"]])(
    "refuses prompt=%j (none with another value) with invalid_request",
    async (prompt) => {
      const { query, state } = await authorizationQuery(client, { extra: { prompt } });

      expectErrorRedirect(await authorize(query), {
        error: "invalid_request",
        description: "prompt=none cannot be combined with other values.",
        state,
      });
    },
  );

  it("answers login_required to prompt=none, given once or repeated", async () => {
    for (const prompt of ["none", "none none"]) {
      const { query, state } = await authorizationQuery(client, { extra: { prompt } });

      expectErrorRedirect(await authorize(query), {
        error: "login_required",
        description: "Baton cannot authenticate the user without showing the login page.",
        state,
      });
    }
  });
});
