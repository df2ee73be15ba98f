/**
 * GRANTS_JURISDICTION: every grant object is created in the configured jurisdiction, so a whole
 * session (authorize, login, code, refresh, introspection, userinfo, revocation) keeps its state
 * there. The Worker is called with the setting changed; the test's own bindings have none.
 *
 * Local workerd has no jurisdictions (`namespace.jurisdiction()` throws "Jurisdiction restrictions
 * are not implemented in workerd"), so the session tests run only where the runtime has them, and
 * what a runtime without them answers is tested instead.
 *
 * @see https://developers.cloudflare.com/durable-objects/reference/data-location/
 */
import { env } from "cloudflare:workers";
import { createExecutionContext, runInDurableObject } from "cloudflare:test";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import type { Env } from "../../src/env";
import { FAMILY_KEY, type FamilyState } from "../../src/grant/state";
import { registerClient, type TestClient } from "../support/clients";
import { LOGIN_URL, aliceLogin, authorizationQuery, expectLoginHandOff } from "../support/code-flow";
import { grantStub } from "../support/families";
import { basicAuth } from "../support/token-requests";
import { ADMIN_TOKEN, BASE } from "../support/worker";
import { INACTIVE, INVALID_GRANT } from "../revocation/endpoint-requests";

const IN_EU: Partial<Env> = { LOGIN_URL, GRANTS_JURISDICTION: "eu" };

/** Whether this runtime can place Durable Objects in a jurisdiction at all. */
function runtimeHasJurisdictions(): boolean {
  try {
    env.GRANTS.jurisdiction("eu");
    return true;
  } catch {
    return false;
  }
}

const JURISDICTIONS = runtimeHasJurisdictions();

let client: TestClient;

beforeAll(async () => {
  client = await registerClient();
});

/** Sends a request to the Worker with `settings` changed. */
function send(settings: Partial<Env>, path: string, init: RequestInit = {}): Promise<Response> {
  return worker.fetch(new Request(BASE + path, init), { ...env, ...settings }, createExecutionContext());
}

/** A client-authenticated form POST. */
function post(settings: Partial<Env>, path: string, params: Record<string, string>): Promise<Response> {
  return send(settings, path, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      Authorization: basicAuth(client.client_id, client.client_secret!),
    },
    body: new URLSearchParams(params),
  });
}

async function json(response: Response, status = 200): Promise<Record<string, string>> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  return JSON.parse(text) as Record<string, string>;
}

/** The grant object of `sid` in the EU jurisdiction, as the Worker finds it with the setting. */
function euGrant(sid: string) {
  const namespace = env.GRANTS.jurisdiction("eu");
  return namespace.get(namespace.idFromName(sid));
}

/** Runs authorize, the login and the code redemption with `settings`; returns the sid and tokens. */
async function codeFlow(settings: Partial<Env>): Promise<{ sid: string; tokens: Record<string, string> }> {
  const { query, codeVerifier } = await authorizationQuery(client);
  const sid = expectLoginHandOff(await send(settings, `/oauth2/authorize?${new URLSearchParams(query)}`));
  const completed = await json(
    await send(settings, `/admin/authorizations/${sid}/complete`, {
      method: "POST",
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify(aliceLogin()),
    }),
  );
  const code = new URL(completed.redirect_to!).searchParams.get("code")!;
  const tokens = await json(
    await post(settings, "/oauth2/token", {
      grant_type: "authorization_code",
      code,
      redirect_uri: query.redirect_uri!,
      code_verifier: codeVerifier!,
    }),
  );
  return { sid, tokens };
}

describe.skipIf(!JURISDICTIONS)("GRANTS_JURISDICTION=eu", () => {
  it("runs a whole session with every grant object in the EU jurisdiction", async () => {
    const { sid, tokens } = await codeFlow(IN_EU);

    const rotated = await json(
      await post(IN_EU, "/oauth2/token", { grant_type: "refresh_token", refresh_token: tokens.refresh_token! }),
    );
    expect(rotated.refresh_token).not.toBe(tokens.refresh_token);
    expect(await json(await post(IN_EU, "/oauth2/introspection", { token: rotated.access_token! }))).toMatchObject({
      active: true,
      sid,
    });
    expect(await json(await post(IN_EU, "/oauth2/introspection", { token: rotated.refresh_token! }))).toMatchObject({
      active: true,
      token_type: "refresh_token",
      sid,
    });
    const claims = await json(
      await send(IN_EU, "/oauth2/userinfo", { headers: { Authorization: `Bearer ${rotated.access_token}` } }),
    );
    expect(claims.sub).toBe("user_alice");

    // The state lives in the EU object, not in the object of the same name outside it.
    const stored = await runInDurableObject(euGrant(sid), (_instance, state) =>
      state.storage.kv.get<FamilyState>(FAMILY_KEY),
    );
    expect(stored).toMatchObject({ sid, clientId: client.client_id, generation: 1 });
    const elsewhere = await runInDurableObject(grantStub(sid), (_instance, state) => [...state.storage.kv.list()]);
    expect(elsewhere).toEqual([]);

    expect((await post(IN_EU, "/oauth2/revoke", { token: rotated.refresh_token! })).status).toBe(200);
    expect(await json(await post(IN_EU, "/oauth2/introspection", { token: rotated.access_token! }))).toEqual(INACTIVE);
    expect(await runInDurableObject(euGrant(sid), (_instance, state) => [...state.storage.kv.list()])).toEqual([]);
  });

  it("does not find an EU grant without the setting, nor a grant made without it when it is set", async () => {
    const eu = await codeFlow(IN_EU);
    const plain = await codeFlow({ LOGIN_URL });

    expect(
      await json(
        await post({}, "/oauth2/token", { grant_type: "refresh_token", refresh_token: eu.tokens.refresh_token! }),
        400,
      ),
    ).toEqual(INVALID_GRANT);
    expect(
      await json(
        await post(IN_EU, "/oauth2/token", { grant_type: "refresh_token", refresh_token: plain.tokens.refresh_token! }),
        400,
      ),
    ).toEqual(INVALID_GRANT);
    // Neither refusal counted as anything: both families still work where they live.
    expect(
      (await post(IN_EU, "/oauth2/token", { grant_type: "refresh_token", refresh_token: eu.tokens.refresh_token! }))
        .status,
    ).toBe(200);
    expect(
      (await post({}, "/oauth2/token", { grant_type: "refresh_token", refresh_token: plain.tokens.refresh_token! }))
        .status,
    ).toBe(200);
  });

  it("revokes an EU grant through the admin API", async () => {
    const { sid, tokens } = await codeFlow(IN_EU);

    const revoked = await send(IN_EU, `/admin/grants/${sid}/revoke`, {
      method: "POST",
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
    });

    expect(revoked.status).toBe(204);
    expect(
      await json(
        await post(IN_EU, "/oauth2/token", { grant_type: "refresh_token", refresh_token: tokens.refresh_token! }),
        400,
      ),
    ).toEqual(INVALID_GRANT);
  });
});

describe.skipIf(JURISDICTIONS)("GRANTS_JURISDICTION=eu where the runtime has no jurisdictions", () => {
  let lines: string[] = [];

  beforeEach(() => {
    lines = [];
    for (const level of ["log", "info", "warn", "error"] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        lines.push(args.map(String).join(" "));
      });
    }
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** Accepts an authorization request and answers it with Alice's login, all with `settings`. */
  async function completeIn(settings: Partial<Env>): Promise<Response> {
    const { query } = await authorizationQuery(client);
    const id = expectLoginHandOff(
      await send({ ...settings, LOGIN_URL }, `/oauth2/authorize?${new URLSearchParams(query)}`),
    );
    return send(settings, `/admin/authorizations/${id}/complete`, {
      method: "POST",
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify(aliceLogin()),
    });
  }

  it("refuses to create a grant with 500 server_error rather than create it outside the jurisdiction", async () => {
    const response = await completeIn(IN_EU);

    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({
      error: "server_error",
      error_description: "The server could not complete the request.",
    });
  });

  it("refuses a refresh with 500 server_error, the family outside the jurisdiction untouched", async () => {
    const { query, codeVerifier } = await authorizationQuery(client);
    const sid = expectLoginHandOff(await send({ LOGIN_URL }, `/oauth2/authorize?${new URLSearchParams(query)}`));
    const completed = await json(
      await send({}, `/admin/authorizations/${sid}/complete`, {
        method: "POST",
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
        body: JSON.stringify(aliceLogin()),
      }),
    );
    const code = new URL(completed.redirect_to!).searchParams.get("code")!;
    const params = {
      grant_type: "authorization_code",
      code,
      redirect_uri: query.redirect_uri!,
      code_verifier: codeVerifier!,
    };
    const tokens = await json(await post({}, "/oauth2/token", params));

    const refused = await post(IN_EU, "/oauth2/token", {
      grant_type: "refresh_token",
      refresh_token: tokens.refresh_token!,
    });

    expect(refused.status).toBe(500);
    expect(
      (await post({}, "/oauth2/token", { grant_type: "refresh_token", refresh_token: tokens.refresh_token! })).status,
    ).toBe(200);
  });

  it("names GRANTS_JURISDICTION in the log as a configuration error", async () => {
    await completeIn(IN_EU);

    const config = lines.map((line) => JSON.parse(line)).filter((line) => line.message === "configuration error");
    expect(config).toEqual([expect.objectContaining({ detail: expect.stringContaining("GRANTS_JURISDICTION") })]);
  });
});
