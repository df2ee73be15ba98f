/**
 * The per-request log line: one JSON object per request with what an operator needs to follow it
 * (request id, method, route, status, outcome, grant type, client, duration), its request id
 * echoed in `X-Request-Id`, and never a token, secret, code or personal claim anywhere in the logs.
 */
import { describe, expect, it } from "vitest";
import type { TestClient } from "../support/clients";
import {
  aliceLogin,
  authorizationQuery,
  authorize,
  complete,
  expectLoginHandOff,
  redeem,
  sidOfRequest,
} from "../support/code-flow";
import { ALICE, ageFamily } from "../support/families";
import { basicAuth, refresh, tokenRequest } from "../support/token-requests";
import { ADMIN_TOKEN, admin, call } from "../support/worker";
import { clientPost } from "../revocation/endpoint-requests";
import { captureConsoleLines } from "../support/console-capture";

/** The fields every request line has. */
const REQUIRED_FIELDS = ["level", "message", "request_id", "method", "route", "status", "outcome", "duration_ms"];
/** The fields a request line has once the request has made them known (an authenticated client, a grant type). */
const OPTIONAL_FIELDS = ["grant", "client_id"];

const consoleLines = captureConsoleLines();

/** One request as the test saw it, to be matched with its log line. */
interface Sent {
  method: string;
  route: string;
  status: number;
  requestId: string | null;
  /** The `error` of an error answer's body. */
  error?: string;
  grant?: string;
  clientId?: string;
}

/** Records each answer with what its log line must say; returns the answer's body text. */
function recorder(sent: Sent[]) {
  return async (
    method: string,
    route: string,
    response: Response,
    expected: { grant?: string; clientId?: string } = {},
  ): Promise<string> => {
    const text = await response.text();
    const error = response.status >= 400 ? (JSON.parse(text) as { error?: string }).error : undefined;
    sent.push({
      method,
      route,
      status: response.status,
      requestId: response.headers.get("X-Request-Id"),
      ...(error !== undefined && { error }),
      ...expected,
    });
    return text;
  };
}

/** Records the authorization endpoint's redirect (it has no body to read) and passes it on. */
async function recordHandOff(sent: Sent[], response: Response): Promise<Response> {
  sent.push({
    method: "GET",
    route: "/oauth2/authorize",
    status: response.status,
    requestId: response.headers.get("X-Request-Id"),
  });
  return response;
}

function parsed(): Record<string, unknown>[] {
  return consoleLines().map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("request logs", () => {
  it("writes one JSON line per request, with its id in X-Request-Id, through a whole session", async () => {
    const sent: Sent[] = [];
    const record = recorder(sent);
    const secrets: string[] = [ADMIN_TOKEN];

    const created = await record(
      "POST",
      "/admin/clients",
      await admin("POST", "/admin/clients", {
        client_name: "Log test app",
        redirect_uris: ["https://app.example/callback"],
        grant_types: ["authorization_code", "refresh_token"],
        token_endpoint_auth_method: "client_secret_basic",
        scope: "openid profile email offline_access",
      }),
    );
    const client = JSON.parse(created) as TestClient;
    const clientId = client.client_id;
    secrets.push(client.client_secret!);

    const { query, codeVerifier, state, nonce } = await authorizationQuery(client);
    secrets.push(codeVerifier!, state, nonce);
    const id = expectLoginHandOff(await recordHandOff(sent, await authorize(query)));
    const sid = await sidOfRequest(id);
    await record("GET", "/admin/authorizations/:id", await admin("GET", `/admin/authorizations/${id}`));
    const completed = await record("POST", "/admin/authorizations/:id/complete", await complete(id, aliceLogin()));
    const code = new URL((JSON.parse(completed) as { redirect_to: string }).redirect_to).searchParams.get("code")!;
    secrets.push(code);

    const issued = { code, redirectUri: query.redirect_uri!, codeVerifier };
    const first = JSON.parse(
      await record("POST", "/oauth2/token", await redeem(client, issued), {
        grant: "authorization_code",
        clientId,
      }),
    ) as Record<string, string>;
    secrets.push(first.access_token!, first.refresh_token!, first.id_token!);
    // A second redemption: refused, and the grant it started is revoked.
    await record("POST", "/oauth2/token", await redeem(client, issued), { grant: "authorization_code", clientId });

    // A fresh grant for the refresh part.
    const second = await authorizationQuery(client);
    secrets.push(second.codeVerifier!, second.state, second.nonce);
    const id2 = expectLoginHandOff(await recordHandOff(sent, await authorize(second.query)));
    const sid2 = await sidOfRequest(id2);
    const completed2 = await record("POST", "/admin/authorizations/:id/complete", await complete(id2, aliceLogin()));
    const code2 = new URL((JSON.parse(completed2) as { redirect_to: string }).redirect_to).searchParams.get("code")!;
    secrets.push(code2);
    const tokens = JSON.parse(
      await record(
        "POST",
        "/oauth2/token",
        await redeem(client, {
          code: code2,
          redirectUri: second.query.redirect_uri!,
          codeVerifier: second.codeVerifier,
        }),
        { grant: "authorization_code", clientId },
      ),
    ) as Record<string, string>;
    secrets.push(tokens.access_token!, tokens.refresh_token!, tokens.id_token!);

    const rotated = JSON.parse(
      await record("POST", "/oauth2/token", await refresh(client, tokens.refresh_token!), {
        grant: "refresh_token",
        clientId,
      }),
    ) as Record<string, string>;
    secrets.push(rotated.access_token!, rotated.refresh_token!, rotated.id_token!);
    // The retry window's replay, then the same token after the window: reuse.
    await record("POST", "/oauth2/token", await refresh(client, tokens.refresh_token!), {
      grant: "refresh_token",
      clientId,
    });
    await record(
      "POST",
      "/oauth2/introspection",
      await clientPost("/oauth2/introspection", client, { token: rotated.access_token! }),
      { clientId },
    );
    await record(
      "GET",
      "/oauth2/userinfo",
      await call("/oauth2/userinfo", { headers: { Authorization: `Bearer ${rotated.access_token}` } }),
    );
    await ageFamily(sid2, 31);
    await record("POST", "/oauth2/token", await refresh(client, tokens.refresh_token!), {
      grant: "refresh_token",
      clientId,
    });

    const wrongSecret = `wrong-${crypto.randomUUID()}`;
    secrets.push(wrongSecret);
    await record(
      "POST",
      "/oauth2/token",
      await tokenRequest(
        { client_id: clientId, client_secret: wrongSecret },
        { grant_type: "refresh_token", refresh_token: "x" },
      ),
    );
    await record(
      "POST",
      "/oauth2/revoke",
      await clientPost("/oauth2/revoke", client, { token: rotated.refresh_token! }),
      { clientId },
    );
    await record("POST", "/admin/grants/:sid/revoke", await admin("POST", `/admin/grants/${sid2}/revoke`));
    // Refused by the admin routes' guard, so the route is the guard's.
    await record(
      "GET",
      "/admin/*",
      await call(`/admin/clients/${clientId}`, { headers: { Authorization: "Bearer wrong-admin-token" } }),
    );
    await record(
      "POST",
      "/oauth2/introspection",
      await call("/oauth2/introspection", {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          Authorization: basicAuth(clientId, client.client_secret!),
        },
        body: new URLSearchParams({ token: first.access_token! }),
      }),
      { clientId },
    );

    const all = parsed();
    const requestLines = all.filter((line) => line.message === "request");
    // Exactly one line per request, in order.
    expect(requestLines).toHaveLength(sent.length);
    for (const [index, line] of requestLines.entries()) {
      const expected = sent[index]!;
      for (const field of REQUIRED_FIELDS) expect(line, field).toHaveProperty(field);
      expect(Object.keys(line).every((key) => REQUIRED_FIELDS.includes(key) || OPTIONAL_FIELDS.includes(key))).toBe(
        true,
      );
      expect(line.request_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(line.request_id).toBe(expected.requestId);
      expect(line).toMatchObject({
        level: expected.status >= 500 ? "error" : "info",
        method: expected.method,
        route: expected.route,
        status: expected.status,
      });
      expect(line.duration_ms).toEqual(expect.any(Number));
      expect(line.duration_ms as number).toBeGreaterThanOrEqual(0);
      if (expected.error !== undefined) expect(line.outcome).toBe(expected.error);
      if (expected.status < 300) expect(line.outcome).toBe("ok");
      if (expected.grant !== undefined) expect(line.grant).toBe(expected.grant);
      if (expected.clientId !== undefined) expect(line.client_id).toBe(expected.clientId);
    }
    // Every request id is distinct.
    expect(new Set(requestLines.map((line) => line.request_id)).size).toBe(sent.length);
    // The two reuses (of the code and of the refresh token) were logged with their grant.
    expect(all.filter((line) => line.level === "warn").map((line) => line.sid)).toEqual([sid, sid2]);

    // Nothing secret, anywhere: not whole, not in part. (Codes and refresh tokens begin with their
    // grant's sid, which is an identifier and is logged: the part checked is their secret tail.)
    expect(consoleLines().every((line) => !line.includes("\n"))).toBe(true);
    const everything = consoleLines().join("\n");
    for (const secret of secrets) {
      expect(everything).not.toContain(secret);
      expect(everything).not.toContain(secret.slice(-20));
    }
    for (const claim of [ALICE.email!, ALICE.name!, ALICE.given_name!, ALICE.family_name!, "user_alice"]) {
      expect(everything).not.toContain(claim);
    }
  });

  it("sends X-Request-Id on every kind of answer, each one new", async () => {
    const answers = await Promise.all([
      call("/oauth2/jwks"),
      call("/.well-known/openid-configuration"),
      call("/nowhere"),
      call("/oauth2/token", { method: "GET" }),
      call("/oauth2/token", { method: "POST" }),
      admin("GET", "/admin/clients/client_none"),
    ]);

    const ids = answers.map((answer) => answer.headers.get("X-Request-Id"));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(ids).size).toBe(answers.length);
    const logged = parsed()
      .filter((line) => line.message === "request")
      .map((line) => line.request_id);
    expect(new Set(logged)).toEqual(new Set(ids));
  });

  it("names the error code as the outcome of every refusal, the router's own 404 and 405 included", async () => {
    const answers = [
      await call("/nowhere"),
      await call("/oauth2/revoke", { method: "GET" }),
      await admin("GET", "/admin/clients/client_none"),
    ];

    const outcomes = parsed()
      .filter((line) => line.message === "request")
      .map((line) => line.outcome);
    const errors = await Promise.all(answers.map(async (answer) => (await answer.json<{ error: string }>()).error));
    expect(outcomes).toEqual(errors);
  });
});
