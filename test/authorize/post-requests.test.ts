/**
 * POST /oauth2/authorize: the same request, form-serialized in the body (OIDC Core §3.1.2.1,
 * which asks an authorization server to accept GET and POST). Answered as a GET is, with 303
 * redirects (RFC 9700 §4.12), and the query of a POST is never read.
 */
import { describe, expect, it } from "vitest";
import { registerClient } from "../support/clients";
import {
  LOGIN_URL,
  REDIRECT_URI,
  authorizationQuery,
  callWith,
  completeLogin,
  jwtPayload,
  redeem,
} from "../support/code-flow";
import { admin } from "../support/worker";

function post(body: BodyInit, contentType = "application/x-www-form-urlencoded", path = "/oauth2/authorize") {
  return callWith({ LOGIN_URL }, path, { method: "POST", headers: { "Content-Type": contentType }, body });
}

async function expectRefusal(response: Response, reason: string): Promise<void> {
  expect(response.status).toBe(400);
  expect(response.headers.get("Location")).toBeNull();
  expect(response.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
  expect(await response.text()).toContain(reason);
}

describe("POST /oauth2/authorize", () => {
  it("hands a form-posted request to the login with a 303, and its code redeems", async () => {
    const client = await registerClient();
    const { query, codeVerifier, state } = await authorizationQuery(client, { scope: "openid email" });

    const response = await post(new URLSearchParams(query));

    expect(response.status).toBe(303);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const login = new URL(response.headers.get("Location")!);
    expect(login.origin + login.pathname).toBe(LOGIN_URL);
    const id = login.searchParams.get("authorization_request")!;
    const view = (await (await admin("GET", `/admin/authorizations/${id}`)).json()) as Record<string, unknown>;
    expect(view).toMatchObject({ client_id: client.client_id, scope: "openid email", redirect_uri: REDIRECT_URI });
    const back = await completeLogin(id);
    expect(back.searchParams.get("state")).toBe(state);
    const tokens = await redeem(client, {
      code: back.searchParams.get("code")!,
      redirectUri: REDIRECT_URI,
      codeVerifier,
    });
    expect(tokens.status).toBe(200);
    expect(jwtPayload(((await tokens.json()) as { access_token: string }).access_token).scope).toBe("openid email");
  });

  it("sends a refusal it can redirect to the client with a 303", async () => {
    const client = await registerClient();
    const { query } = await authorizationQuery(client, { state: "s-post", extra: { response_type: "token" } });

    const response = await post(new URLSearchParams(query));

    expect(response.status).toBe(303);
    const location = new URL(response.headers.get("Location")!);
    expect(location.origin + location.pathname).toBe(REDIRECT_URI);
    expect(location.searchParams.get("error")).toBe("unsupported_response_type");
    expect(location.searchParams.get("state")).toBe("s-post");
  });

  it("reads the body only: a POST whose parameters are in its query has no client", async () => {
    const client = await registerClient();
    const { query } = await authorizationQuery(client);

    await expectRefusal(await post("", undefined, `/oauth2/authorize?${new URLSearchParams(query)}`), "client_id");
  });

  it("refuses a body that is no form, and one too large, with the page", async () => {
    const client = await registerClient();
    const { query } = await authorizationQuery(client);

    await expectRefusal(await post(JSON.stringify(query), "application/json"), "The request must be sent as a form.");
    await expectRefusal(
      await post(`${new URLSearchParams(query)}&x=${"a".repeat(70_000)}`),
      "The request is too large.",
    );
  });

  it("refuses a parameter given twice in the body, as in a query", async () => {
    const client = await registerClient();
    const { query } = await authorizationQuery(client, { state: "s-twice" });
    const body = new URLSearchParams(query);
    body.append("scope", "openid");

    const response = await post(body);

    expect(response.status).toBe(303);
    expect(new URL(response.headers.get("Location")!).searchParams.get("error")).toBe("invalid_request");
  });
});
