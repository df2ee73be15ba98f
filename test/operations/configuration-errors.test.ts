/**
 * A malformed setting is never replaced by a default: the caller gets 500 `server_error`, not to
 * be cached, and the log names the setting but never its value (which may be a secret).
 * The Worker is called with one setting changed at a time.
 */
import { env } from "cloudflare:workers";
import { createExecutionContext } from "cloudflare:test";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import type { Env } from "../../src/env";
import { expectError } from "../http/support-token-endpoint";
import { registerClient, type TestClient } from "../support/clients";
import { basicAuth } from "../support/token-requests";
import { BASE } from "../support/worker";

const SERVER_ERROR = { status: 500, error: "server_error", description: "The server could not complete the request." };

let machine: TestClient;
let lines: string[] = [];

beforeAll(async () => {
  machine = await registerClient({ grant_types: ["client_credentials"], redirect_uris: [], scope: "jobs" });
});

beforeEach(() => {
  lines = [];
  for (const level of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      lines.push(args.map((arg) => (typeof arg === "string" ? arg : JSON.stringify(arg))).join(" "));
    });
  }
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** Sends `path` to the Worker with `settings` changed (a fresh env object: config is cached per env). */
function send(settings: Partial<Env>, path: string, init: RequestInit = {}): Promise<Response> {
  return worker.fetch(new Request(BASE + path, init), { ...env, ...settings }, createExecutionContext());
}

/** A client_credentials token request: it reads the configuration and signs a token. */
function issueToken(settings: Partial<Env>): Promise<Response> {
  return send(settings, "/oauth2/token", {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      Authorization: basicAuth(machine.client_id, machine.client_secret!),
    },
    body: new URLSearchParams({ grant_type: "client_credentials" }),
  });
}

/** The log's configuration error lines and request lines. */
function logged(): { config: Record<string, unknown>[]; requests: Record<string, unknown>[] } {
  const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    config: parsed.filter((line) => line.message === "configuration error"),
    requests: parsed.filter((line) => line.message === "request"),
  };
}

/** Asserts one configuration error, logged with the request's id, naming `setting` and not `value`. */
function expectLoggedConfigError(response: Response, setting: string, value: string | undefined): void {
  const { config, requests } = logged();
  const requestId = response.headers.get("X-Request-Id");
  expect(config).toEqual([
    { level: "error", message: "configuration error", request_id: requestId, detail: expect.any(String) },
  ]);
  expect(config[0]!.detail).toContain(setting);
  expect(requests).toEqual([
    expect.objectContaining({ level: "error", request_id: requestId, status: 500, outcome: "server_error" }),
  ]);
  if (value === undefined || value === "") return;
  expect(config[0]!.detail).not.toContain(value);
  // Request ids are random hex and may hold short values by chance; everything else may not.
  const withoutIds = lines.join("\n").replaceAll(requestId!, "");
  if (value.length >= 3) expect(withoutIds).not.toContain(value);
}

const MALFORMED: [keyof Env, string][] = [
  ["ACCESS_TOKEN_TTL", "30s"],
  ["ACCESS_TOKEN_TTL", "-1"],
  ["ACCESS_TOKEN_TTL", " 300"],
  ["ACCESS_TOKEN_TTL", "1e3"],
  ["ACCESS_TOKEN_TTL", "0"],
  ["ID_TOKEN_TTL", "one hour"],
  ["REFRESH_IDLE_TTL", "14d"],
  ["REFRESH_ABSOLUTE_TTL", "7776000.5"],
  ["REFRESH_RETRY_WINDOW", "-30"],
  ["ISSUER", "https://baton.test/tenant-a"],
  ["ISSUER", "https://baton.test/"],
  ["ISSUER", "https://baton.test?tenant=a"],
  ["ISSUER", "baton.test"],
  ["ISSUER", "ftp://baton.test"],
  ["GRANTS_JURISDICTION", "mars"],
  ["GRANTS_JURISDICTION", "EU"],
  ["LOGIN_URL", "not a url"],
  ["LOGOUT_URL", "not a url"],
  ["LOGIN_URL", "https://app.example/login?from=baton"],
  ["LOGOUT_URL", "mailto:ops@app.example"],
  ["DEV_LOGIN", "yes"],
  ["TOKEN_SECRETS", "dG9vLXNob3J0"],
  ["TOKEN_SECRETS", `${"A".repeat(43)} not-base64url+/`],
  ["LOG_LEVEL", "verbose"],
  ["RESOURCES", "mcp.example.com/mcp"],
  ["RESOURCES", "https://mcp.example.com/mcp#fragment"],
  ["RESOURCES", "http://mcp.example.com/mcp"],
  ["SCOPES", 'mcp:tools "quoted"'],
  ["DYNAMIC_REGISTRATION", "yes"],
  ["CLIENT_ID_METADATA_DOCUMENTS", "on"],
  ["CLIENT_METADATA_ALLOW_LOOPBACK", "1"],
  ["LOG_LEVEL", "INFO"],
];

describe("configuration errors: malformed settings", () => {
  it.each(MALFORMED)(
    "answers 500 server_error to a malformed %s (%j) and logs the setting's name only",
    async (setting, value) => {
      const response = await issueToken({ [setting]: value });

      await expectError(response, SERVER_ERROR);
      expectLoggedConfigError(response, setting, value);
    },
  );

  it.each([
    "/oauth2/introspection",
    "/oauth2/revoke",
    "/oauth2/jwks",
    "/oauth2/userinfo",
    "/oauth2/authorize",
    "/oauth2/logout",
    "/.well-known/openid-configuration",
    "/admin/clients/client_x",
    "/",
  ])("answers 500 server_error at %s too", async (path) => {
    const method = path === "/oauth2/introspection" || path === "/oauth2/revoke" ? "POST" : "GET";
    const response = await send({ ACCESS_TOKEN_TTL: "30s" }, path, { method });

    await expectError(response, SERVER_ERROR);
    expectLoggedConfigError(response, "ACCESS_TOKEN_TTL", "30s");
  });
});

describe("configuration errors: signing keys", () => {
  const secretLooking = '{"keys":[{"kty":"EC","crv":"P-256","d":"c2VjcmV0LWtleS1tYXRlcmlhbA","kid":"k1"';

  it.each([
    ["unset", undefined, "SIGNING_KEYS is not set"],
    ["empty", "", "SIGNING_KEYS is not set"],
    ["not JSON (cut short, with private material in it)", secretLooking, "SIGNING_KEYS is not JSON"],
    ["not a JWK Set", '["c2VjcmV0LWtleS1tYXRlcmlhbA"]', "SIGNING_KEYS must be a JWK Set"],
    ["an empty JWK Set", '{"keys":[]}', "SIGNING_KEYS must be a JWK Set"],
  ])("answers 500 server_error to token issuance when SIGNING_KEYS is %s", async (_name, value, detail) => {
    const response = await issueToken({ SIGNING_KEYS: value });

    await expectError(response, SERVER_ERROR);
    expectLoggedConfigError(response, "SIGNING_KEYS", value);
    expect(logged().config[0]!.detail).toContain(detail);
    expect(lines.join("\n")).not.toContain("c2VjcmV0LWtleS1tYXRlcmlhbA");
  });

  it("answers 500 server_error at /oauth2/jwks when SIGNING_KEYS is unset", async () => {
    const response = await send({ SIGNING_KEYS: undefined }, "/oauth2/jwks");

    await expectError(response, SERVER_ERROR);
    expectLoggedConfigError(response, "SIGNING_KEYS", undefined);
  });

  it("works again as soon as the setting is corrected: a failure is not remembered", async () => {
    await expectError(await issueToken({ SIGNING_KEYS: "not json" }), SERVER_ERROR);
    await expectError(await issueToken({ ACCESS_TOKEN_TTL: "30s" }), SERVER_ERROR);

    const response = await issueToken({});
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ token_type: "bearer", expires_in: 300 });
  });

  it("takes a well-formed value as it is, with no fallback to the default", async () => {
    const response = await issueToken({ ACCESS_TOKEN_TTL: "42" });

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ expires_in: 42 });
  });
});

describe("configuration errors: TOKEN_SECRETS unset", () => {
  it.each([
    ["/oauth2/token", "POST"],
    ["/oauth2/authorize?response_type=code", "GET"],
  ])("answers 500 server_error at %s and names TOKEN_SECRETS", async (path, method) => {
    const webApp = await registerClient();
    const response =
      method === "POST"
        ? await send({ TOKEN_SECRETS: undefined }, path, {
            method,
            headers: {
              "Content-Type": "application/x-www-form-urlencoded",
              Authorization: basicAuth(webApp.client_id, webApp.client_secret!),
            },
            body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: `rt_${"A".repeat(91)}` }),
          })
        : await send({ TOKEN_SECRETS: undefined, LOGIN_URL: "https://login.example/" }, await authorizePath());

    await expectError(response, SERVER_ERROR);
    expectLoggedConfigError(response, "TOKEN_SECRETS", undefined);
  });

  it("still serves what needs no secret: discovery and the JWKS", async () => {
    expect((await send({ TOKEN_SECRETS: undefined }, "/.well-known/openid-configuration")).status).toBe(200);
    expect((await send({ TOKEN_SECRETS: undefined }, "/oauth2/jwks")).status).toBe(200);
  });
});

/** An authorization request that passes every check, for a public client with PKCE. */
async function authorizePath(): Promise<string> {
  const client = await registerClient({ token_endpoint_auth_method: "none" });
  return `/oauth2/authorize?${new URLSearchParams({
    response_type: "code",
    client_id: client.client_id,
    redirect_uri: "https://app.example/callback",
    scope: "openid",
    code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    code_challenge_method: "S256",
  })}`;
}

describe("configuration errors: ISSUER unset", () => {
  /** Discovery as served to `origin` with no ISSUER configured. */
  function discoveryAt(origin: string): Promise<Response> {
    return worker.fetch(
      new Request(`${origin}/.well-known/openid-configuration`),
      { ...env, ISSUER: undefined },
      createExecutionContext(),
    );
  }

  it.each(["http://localhost:8787", "http://127.0.0.1:8788", "http://[::1]:8787"])(
    "takes the issuer from a loopback origin (%s), for local use",
    async (origin) => {
      const response = await discoveryAt(origin);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ issuer: origin, token_endpoint: `${origin}/oauth2/token` });
    },
  );

  it.each(["http://evil.example", "https://baton.test", "http://localhost.evil.example", "http://127.0.0.2"])(
    "never takes the issuer from the Host header of %s: 500 and a log line naming ISSUER",
    async (origin) => {
      const response = await discoveryAt(origin);

      await expectError(response, SERVER_ERROR);
      expectLoggedConfigError(response, "ISSUER", undefined);
      expect(lines.join("\n")).not.toContain(new URL(origin).hostname);
    },
  );
});

describe("configuration errors: ADMIN_TOKEN shorter than 32 characters", () => {
  const SHORT = "short-admin-token-31-characters";

  it("answers 500 server_error on every admin route, even to that very token, and says why in the log", async () => {
    expect(SHORT).toHaveLength(31);
    for (const path of ["/admin/clients", "/admin/clients/client_x", "/admin/grants/x/revoke"]) {
      const response = await send({ ADMIN_TOKEN: SHORT }, path, {
        method: path.endsWith("revoke") ? "POST" : "GET",
        headers: { Authorization: `Bearer ${SHORT}` },
      });
      await expectError(response, SERVER_ERROR);
      expectLoggedConfigError(response, "ADMIN_TOKEN", SHORT);
      lines = [];
    }
  });

  it("keeps the OAuth endpoints working", async () => {
    const response = await issueToken({ ADMIN_TOKEN: SHORT });
    expect(response.status).toBe(200);
    expect((await send({ ADMIN_TOKEN: SHORT }, "/.well-known/openid-configuration")).status).toBe(200);
  });
});

describe("configuration errors: ADMIN_TOKEN that no Authorization header can carry", () => {
  const BODY = "a-long-enough-admin-token-of-42-characters";

  it.each([
    ["a trailing newline", `${BODY}\n`],
    ["an inner space", `${BODY.slice(0, 20)} ${BODY.slice(20)}`],
    ["a tab", `\t${BODY}`],
    ["a non-ASCII letter", `${BODY}é`],
  ])("answers 500 server_error for a token with %s, and says why in the log", async (_, token) => {
    const response = await send({ ADMIN_TOKEN: token }, "/admin/clients", {
      headers: { Authorization: `Bearer ${BODY}` },
    });
    await expectError(response, SERVER_ERROR);
    expectLoggedConfigError(response, "ADMIN_TOKEN", BODY);
  });

  it("accepts every visible ASCII character, base64's and hex's included", async () => {
    const token = `${BODY}+/=!~`;
    const response = await send({ ADMIN_TOKEN: token }, "/admin/clients", {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
  });
});
