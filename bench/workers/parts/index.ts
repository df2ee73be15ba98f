// Baton with a way to run one of its parts many times inside the runtime, so that its cost can be
// read from workerd's own CPU time without a load generator, sockets or HTTP parsing in the way
// (bench/parts.mjs drives it). Every other request is Baton's own.
//
// POST /__parts { part, n, ctx } runs part `part` n times, one after another, in this isolate (a
// `grant.*` part inside the Grant object of ctx.sid) and answers { ran, ctx }, ctx with the
// family's newest refresh token. The Grant class here is Baton's with a few more methods (`part`,
// and the calls the `object call …` parts make), so the object is the real one, on its real
// storage.
// The floors (workers/ceiling) live here too, under /__floor/, so that a `floor: …` part runs
// the bare work of an operation in the same isolate as Baton's.
import baton from "../../../src/index";
// @ts-expect-error: the floors are plain JavaScript, with no types.
import floors from "../ceiling/index.js";
import { Grant as BatonGrant } from "../../../src/grant/grant";
import type { GrantStore } from "../../../src/grant/store";
import type { FamilyState } from "../../../src/grant/state";
import { familyTokenResponse } from "../../../src/grant/family-tokens";
import { mintRefreshToken, parseRefreshToken, verifyRefreshToken } from "../../../src/grant/refresh-token";
import { sealAnswer } from "../../../src/grant/replay";
import { grantFor } from "../../../src/grant/locate";
import { verifySid } from "../../../src/grant/sid";
import { authenticateClient } from "../../../src/clients/authenticate";
import { readClientCredentials } from "../../../src/http/client-credentials";
import { readParams } from "../../../src/http/params";
import { handleTokenRequest } from "../../../src/http/token-endpoint";
import { allowCrossOrigin } from "../../../src/http/cors";
import { sourceAddress } from "../../../src/http/source-address";
import { NO_STORE_HEADERS } from "../../../src/errors";
import { issuerFor, readConfig, type Config } from "../../../src/config";
import { log } from "../../../src/log";
import { nowSeconds } from "../../../src/clock";
import { serverKeys } from "../../../src/secrets/server-keys";
import { isCompactJws } from "../../../src/tokens/verification-keys";
import type { Env } from "../../../src/env";

export { ClientRegistry, UserCodes, UserSessions } from "../../../src/index";
// @ts-expect-error: the floors are plain JavaScript, with no types.
export { Chain, Sessions } from "../ceiling/index.js";

/** What the driver set up: the web client, a live family and its newest tokens, the machine client. */
interface PartsContext {
  origin: string;
  web: { client_id: string; client_secret: string };
  machine: { client_id: string; client_secret: string };
  sid: string;
  refreshToken: string;
  accessToken: string;
  /** The floors' paths by operation, and a chain of the floor's with its access token. */
  floor: { paths: Record<string, string>; chain: string; accessToken: string };
}

// Each write of the write parts stores a new value (time does not move inside a loop here, and
// the runtime makes rewriting the very same value almost free).
let writes = 0;
const basic = (id: string, secret: string) => `Basic ${btoa(`${id}:${secret}`)}`;
const FORM = "application/x-www-form-urlencoded";

/** A form POST as a client sends it: with its Content-Length, which a Request built here lacks. */
function formInit(client: PartsContext["web"], fields: Record<string, string>): RequestInit {
  const body = new URLSearchParams(fields).toString();
  const headers = {
    "Content-Type": FORM,
    "Content-Length": String(body.length),
    Authorization: basic(client.client_id, client.client_secret),
  };
  return { method: "POST", headers, body };
}

function tokenRequest(ctx: PartsContext, body: Record<string, string>, client = ctx.web): Request {
  return new Request(`${ctx.origin}/oauth2/token`, formInit(client, body));
}

/** Sends `request` through Baton's whole Worker and reads the answer as the client would. */
async function throughBaton(request: Request, env: Env, executionContext: ExecutionContext): Promise<string> {
  const response = await baton.fetch(request, env, executionContext);
  const text = await response.text();
  if (response.status !== 200) throw new Error(`answered ${response.status}: ${text.slice(0, 200)}`);
  return text;
}

/** Runs the floor of `operation` through the floors' Worker and reads its answer. */
async function throughFloor(ctx: PartsContext, operation: string, init: RequestInit, env: Env): Promise<string> {
  const response = await floors.fetch(new Request(`${ctx.origin}${ctx.floor.paths[operation]}`, init), env);
  const text = await response.text();
  if (response.status !== 200) throw new Error(`the floor answered ${response.status}: ${text.slice(0, 200)}`);
  return text;
}

const floorForm = (ctx: PartsContext, body: Record<string, string>): RequestInit => formInit(ctx.web, body);

type WorkerPart = (ctx: PartsContext, env: Env, executionContext: ExecutionContext, config: Config) => Promise<unknown>;

/** Parts in the Worker, each one unit of one request's work. */
const WORKER_PARTS: Record<string, WorkerPart> = {
  // What the loop itself costs: a request made and an answer read, with nothing in between.
  harness: async (ctx) => {
    const request = tokenRequest(ctx, { grant_type: "refresh_token", refresh_token: ctx.refreshToken });
    await request.arrayBuffer();
    return new Response('{"access_token":"x"}', { headers: NO_STORE_HEADERS }).text();
  },
  // Whole operations, as a client sends them.
  refresh: async (ctx, env, executionContext) => {
    const request = tokenRequest(ctx, { grant_type: "refresh_token", refresh_token: ctx.refreshToken });
    const answer = JSON.parse(await throughBaton(request, env, executionContext)) as { refresh_token: string };
    ctx.refreshToken = answer.refresh_token;
  },
  client_credentials: (ctx, env, executionContext) =>
    throughBaton(tokenRequest(ctx, { grant_type: "client_credentials" }, ctx.machine), env, executionContext),
  introspection: (ctx, env, executionContext) => {
    const request = new Request(`${ctx.origin}/oauth2/introspection`, formInit(ctx.web, { token: ctx.accessToken }));
    return throughBaton(request, env, executionContext);
  },
  userinfo: (ctx, env, executionContext) => {
    const request = new Request(`${ctx.origin}/oauth2/userinfo`, {
      headers: { Authorization: `Bearer ${ctx.accessToken}` },
    });
    return throughBaton(request, env, executionContext);
  },
  // Their floors: the same work with none of Baton's checks (bench/workers/ceiling).
  "floor: refresh": (ctx, env) =>
    throughFloor(ctx, "refresh", floorForm(ctx, { grant_type: "refresh_token", chain: ctx.floor.chain }), env),
  "floor: client_credentials": (ctx, env) =>
    throughFloor(ctx, "client-credentials", floorForm(ctx, { grant_type: "client_credentials" }), env),
  "floor: introspection": (ctx, env) =>
    throughFloor(ctx, "introspection", floorForm(ctx, { token: ctx.floor.accessToken, chain: ctx.floor.chain }), env),
  "floor: userinfo": (ctx, env) =>
    throughFloor(ctx, "userinfo", { headers: { Authorization: `Bearer ${ctx.floor.accessToken}` } }, env),
  // A refresh through the token endpoint's handler alone: without the router, the request id,
  // CORS and the request line around it.
  "token endpoint": async (ctx, env, _executionContext, config) => {
    const request = tokenRequest(ctx, { grant_type: "refresh_token", refresh_token: ctx.refreshToken });
    const url = new URL(request.url);
    const response = await handleTokenRequest({ request, env, config, url, issuer: issuerFor(config, url), trace: {} });
    ctx.refreshToken = ((await response.json()) as { refresh_token: string }).refresh_token;
  },
  // A client_credentials request through the token endpoint's handler alone.
  "token endpoint (client_credentials)": async (ctx, env, _executionContext, config) => {
    const request = tokenRequest(ctx, { grant_type: "client_credentials" }, ctx.machine);
    const url = new URL(request.url);
    const response = await handleTokenRequest({ request, env, config, url, issuer: issuerFor(config, url), trace: {} });
    return response.text();
  },
  // A refresh's object side alone, the call to it included: Baton's grant and the floor's chain.
  "object refresh": async (ctx, env, _executionContext, config) => {
    const stub = grantFor(env, config, parseRefreshToken(ctx.refreshToken)!.sid);
    const result = await stub.refresh({ refreshToken: ctx.refreshToken, clientId: ctx.web.client_id });
    if (!result.ok) throw new Error(`refresh failed: ${result.error}`);
    ctx.refreshToken = (JSON.parse(result.body) as { refresh_token: string }).refresh_token;
  },
  "floor: object refresh": async (ctx, env) => {
    const steps = new URL(`${ctx.origin}${ctx.floor.paths.refresh}`).searchParams.get("object")!.split(",");
    const chains = (env as unknown as { CHAINS: DurableObjectNamespace }).CHAINS;
    const stub = chains.get(chains.idFromName(ctx.floor.chain)) as unknown as {
      work(chain: string, steps: string[]): Promise<string[]>;
    };
    return stub.work(ctx.floor.chain, steps);
  },
  // The Worker's side of a refresh, one step each (a request is made for those that read one).
  request: async (ctx) => tokenRequest(ctx, { grant_type: "refresh_token", refresh_token: ctx.refreshToken }),
  config: async (_ctx, env) => readConfig(env),
  url: async (ctx, _env, _executionContext, config) => issuerFor(config, new URL(`${ctx.origin}/oauth2/token`)),
  "request id": async () => crypto.randomUUID(),
  "read params": (ctx) => {
    const request = tokenRequest(ctx, { grant_type: "refresh_token", refresh_token: ctx.refreshToken });
    return readParams(request, new URL(request.url));
  },
  "client auth": async (ctx, env, _executionContext, config) => {
    const request = tokenRequest(ctx, { grant_type: "refresh_token", refresh_token: ctx.refreshToken });
    const params = await readParams(request, new URL(request.url));
    const credentials = readClientCredentials(request, params);
    return authenticateClient(env, credentials, sourceAddress(request), { config, issuer: ctx.origin });
  },
  // The shape check every verification of Baton's own JWTs starts with, on an access token.
  "token shape check": async (ctx) => isCompactJws(ctx.accessToken),
  "sid check": async (ctx, _env, _executionContext, config) =>
    verifySid(await serverKeys(config), parseRefreshToken(ctx.refreshToken)!.sid),
  "object stub": async (ctx, env, _executionContext, config) => grantFor(env, config, ctx.sid),
  "object call": async (ctx, env, _executionContext, config) =>
    (grantFor(env, config, ctx.sid) as unknown as DurableObjectStub<Grant>).nothing(),
  "object call that signs": async (ctx, env, _executionContext, config) =>
    (grantFor(env, config, ctx.sid) as unknown as DurableObjectStub<Grant>).sign(ctx.refreshToken),
  // A call whose one write is committed before it answers, as a rotation's is.
  "object call with a write": async (ctx, env, _executionContext, config) =>
    (grantFor(env, config, ctx.sid) as unknown as DurableObjectStub<Grant>).write(),
  // A call the size of a refresh's: its input there, a token response's length back.
  "object call (refresh-sized)": async (ctx, env, _executionContext, config) =>
    (grantFor(env, config, ctx.sid) as unknown as DurableObjectStub<Grant>).echo({
      refreshToken: ctx.refreshToken,
      clientId: ctx.web.client_id,
    }),
  "response headers": async (ctx) => {
    const response = new Response("{}", { headers: NO_STORE_HEADERS });
    response.headers.set("X-Request-Id", crypto.randomUUID());
    allowCrossOrigin(response, new URL(`${ctx.origin}/oauth2/token`));
    return response;
  },
  // The request line at LOG_LEVEL=warn, the level the parts run at: it is not printed.
  "log line (warn)": async (_ctx, _env, _executionContext, config) => log(config, "info", "request", { status: 200 }),
};

/** Baton's Grant, with a way to time its parts on its own storage. */
export class Grant extends BatonGrant {
  /** Does nothing: what a call to the object costs by itself. */
  nothing(): void {}

  /** Signs the family's token response and answers it, writing nothing. */
  async sign(token: string): Promise<string> {
    const family = (this as unknown as { store: GrantStore }).store.family()!;
    const config = readConfig(this.env);
    return familyTokenResponse(
      config,
      family,
      { scope: family.scope, resources: [], refreshToken: token },
      nowSeconds(),
    );
  }

  /** Writes a family-sized value that changes each time, under a key of its own. */
  write(): void {
    const family = (this as unknown as { store: GrantStore }).store.family();
    this.ctx.storage.kv.put("parts", { ...family, lastUsedAt: (family?.lastUsedAt ?? 0) + ++writes });
  }

  /** Answers a string the length of a token response, for a call the size of a refresh's. */
  echo(input: { refreshToken: string; clientId: string }): { ok: true; body: string } {
    return { ok: true, body: input.refreshToken.padEnd(1200, ".") };
  }

  /**
   * Runs the object's part `name` n times; `token` is the family's current refresh token, and the
   * answer is the one current after the runs (a rotation changes it).
   */
  async part(name: string, n: number, token: string): Promise<string> {
    const grant = this as unknown as { store: GrantStore; exclusively(work: () => Promise<unknown>): Promise<unknown> };
    const store = grant.store;
    const config = readConfig(this.env);
    const family = store.family() as FamilyState;
    const parsed = parseRefreshToken(token)!;
    let current = token;
    const steps: Record<string, () => unknown> = {
      nothing: () => undefined,
      // A turn in the line of changes (Grant.exclusively), with nothing to do in it.
      "serial section": () => grant.exclusively(async () => undefined),
      "family read": () => store.family(),
      // A changing value, as a rotation writes (the runtime makes an unchanged write almost free),
      // under a key of its own so that the family itself is left as it was.
      "family write": () => this.ctx.storage.kv.put("parts", { ...family, lastUsedAt: family.lastUsedAt + ++writes }),
      // The same, waiting until it is durable, as a rotation's answer waits behind its write.
      "family write (committed)": () => {
        this.ctx.storage.kv.put("parts", { ...family, lastUsedAt: family.lastUsedAt + ++writes });
        return this.ctx.storage.sync();
      },
      // A whole rotation, inside the object, without the call to it. Runs in one event commit their
      // writes together, so this is cheaper than a rotation per request: "object refresh" is that.
      refresh: async () => {
        const result = await this.refresh({ refreshToken: current, clientId: family.clientId });
        if (!result.ok) throw new Error(`refresh failed: ${result.error}`);
        current = (JSON.parse(result.body) as { refresh_token: string }).refresh_token;
      },
      "token check": async () => verifyRefreshToken(await store.familyKeys(family, config), parsed),
      "token mint": async () =>
        mintRefreshToken((await store.familyKeys(family, config))[0]!, family.sid, family.generation + 1),
      "token response": () =>
        familyTokenResponse(config, family, { scope: family.scope, resources: [], refreshToken: token }, nowSeconds()),
      "answer seal": () => sealAnswer(parsed.mac, family.sid, "a".repeat(1200)),
    };
    const step = steps[name];
    if (step === undefined) throw new Error(`no object part named ${name}`);
    for (let i = 0; i < n; i++) await step();
    return current;
  }
}

export default {
  async fetch(request: Request, env: Env, executionContext: ExecutionContext): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname.startsWith("/__floor/")) {
      return floors.fetch(new Request(request.url.replace("/__floor/", "/"), request), env);
    }
    if (url.pathname !== "/__parts") return baton.fetch(request, env, executionContext);
    const { part, n, ctx } = (await request.json()) as { part: string; n: number; ctx: PartsContext };
    const config = readConfig(env);
    if (part.startsWith("grant.")) {
      const stub = grantFor(env, config, ctx.sid) as unknown as DurableObjectStub<Grant>;
      ctx.refreshToken = await stub.part(part.slice("grant.".length), n, ctx.refreshToken);
      return Response.json({ ran: n, ctx });
    }
    const run = WORKER_PARTS[part];
    if (run === undefined) return Response.json({ error: `no part named ${part}` }, { status: 400 });
    for (let i = 0; i < n; i++) await run(ctx, env, executionContext, config);
    return Response.json({ ran: n, ctx });
  },
};
