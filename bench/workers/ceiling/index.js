// The floors Baton's operations are measured against, on the same runtime: bare work of the same
// shape (the KV reads, Durable Object calls, signatures, verifications and hashes Baton's route
// must do) with none of its checks. Baton's shape per request in steady state, from src/, and the
// floor's (`edge` steps in the Worker | `object` steps in the Durable Object; targets/ceiling.mjs
// sends them; "kvc" is a KV get behind Baton's own 30 s isolate cache, so 0 KV reads a request):
//
// refresh       token-endpoint.ts; client auth: KV via the cache of clients/store.ts:21-23,
//               SHA-256 clients/secrets.ts:33; HMAC sid grant/sid.ts:44; Grant write
//               grant.ts:112 → family.ts:109: get, HMAC verify + mint refresh-token.ts:82,69,
//               2 ES256 token-response.ts:58, HKDF + AES-GCM replay.ts:18-32, put (the next
//               generation with the sealed answer) → kvc,sha256,hmac,do | get,hmac,hmac,sign×2,
//               hkdf,put; the older /minimal-refresh: uncached KV get | get, 2 sign, put (lacks
//               the SHA-256, 3 HMACs and HKDF + AES, has a KV read Baton's cache saves)
// login         a) GET authorize authorize-endpoint.ts: KV (cached), HMAC newSid, AES-GCM seal
//               pending-request.ts:35 → fresh,kvc,hmac,seal 302
//               b) POST admin complete admin/authorizations.ts:32-59: 2 SHA-256 authorize-admin.ts:29,
//               AES-GCM unseal, Grant write grant/login.ts:67: SHA-256 code, 3 get, the code's
//               put, alarm (no sessions object here) → sha256,sha256,unseal,do | sha256,get×3,code,alarm
//               c) POST code grant grants/authorization-code.ts: KV, SHA-256, HMAC sid; Grant write
//               redemption.ts:18 → family.ts:42: SHA-256 code, get×2, HMAC + key import, HMAC
//               mint, 2 ES256, UserSessions write store.ts:77 → user-sessions.ts:32 (get, list,
//               put), del×2, put, alarm → kvc,sha256,hmac,do | sha256,getcode,get,derive,hmac,sign×2,
//               sessions,del×2,put,alarm
// client-creds  grants/client-credentials.ts: KV, SHA-256, 1 ES256; no object → kvc,sha256,sign
// introspection introspect-endpoint.ts: KV, SHA-256, 1 ES256 verify verification-keys.ts:92,
//               Grant read grant.ts:117 (get), KV of the token's client → kvc,sha256,verify,do,kvc | get
// userinfo      userinfo-endpoint.ts: no client auth; 1 ES256 verify, Grant read, KV
//               → verify,do,kvc | get
// revocation    revoke-endpoint.ts: KV, SHA-256, HMAC sid; Grant write grant.ts:145 →
//               family.ts:248: get, HMAC + key import, HMAC verify, store.ts:118-139: get×2
//               (the answered marker's key, the code), deleteAll, put + alarm (answered marker),
//               UserSessions write → kvc,sha256,hmac,do | get,derive,hmac,get×2,delete,put,alarm,sessions
// registration  register-endpoint.ts: JSON, rate limit, SHA-256 secrets.ts; one KV put with an
//               expiration register.ts:56, no object → limit,sha256,kvput 201
// token-exch    grants/token-exchange.ts: KV, SHA-256, 1 ES256 verify, Grant read, 1 ES256
//               → kvc,sha256,verify,do,sign | get
// device-poll   grants/device-code.ts (public client: no secret): KV, HMAC sid, SHA-256 code;
//               Grant call device.ts:84: get, no write → kvc,hmac,sha256,do | get 400
// Every Baton route also logs one line (router.ts:136) and runs the Grant calls that change it one
// at a time (`exclusively`, grant.ts); the floors do neither.
//
// /floor?edge=…&object=…&status=N runs the steps; `chain` (form, JSON or query) names the object;
// `verify` checks a Bearer header, `token` or `subject_token`. POST /start opens a chain with an
// access token for it (`?alarm=0`: without the object's alarm); PUT /setup writes the client record.
import { DurableObject } from "cloudflare:workers";
import { CLIENT_ID, CLIENT_KEY, EDGE, ISSUER, OBJECT, loadKeys, signJwt } from "./steps.js";

// A family's longest life, 90 days (REFRESH_ABSOLUTE_TTL's default).
const FAMILY_MS = 7_776_000_000;

/** One chain's state, like a grant's object. */
export class Chain extends DurableObject {
  /**
   * Creates the chain's state, as a login creates a grant's object before its first refresh,
   * with an alarm at the family's end, as Baton's (an ending then deletes the alarm too), unless
   * `alarm` is false (to see what pending alarms cost the runtime: bench:flat --floor-alarms=false).
   */
  async open(chain, alarm = true) {
    this.ctx.storage.kv.put("state", { generation: 0, subject: `user_${chain}` });
    if (alarm) await this.ctx.storage.setAlarm(Date.now() + FAMILY_MS);
  }

  /** The object's side of a floor: `steps` one after another; the tokens it signed. */
  async work(chain, steps) {
    const run = { chain, tokens: [], k: await loadKeys(this.env) };
    for (const step of steps) await OBJECT[step](run, this.ctx, this.env);
    return run.tokens;
  }

  /** The minimal refresh: read the state, sign two ES256 JWTs, write the state. */
  async refresh(chain) {
    const k = await loadKeys(this.env);
    const state = this.ctx.storage.kv.get("state") ?? { generation: 0, subject: `user_${chain}` };
    const accessToken = await signJwt(k, chain, "at+jwt");
    const idToken = await signJwt(k, chain, "JWT");
    state.generation++;
    this.ctx.storage.kv.put("state", state);
    return JSON.stringify({
      access_token: accessToken,
      token_type: "bearer",
      expires_in: 300,
      scope: "openid offline_access",
      id_token: idToken,
      refresh_token: `${chain}.${state.generation}`,
    });
  }

  /** The floors set alarms far ahead, as Baton does for a family's end; none fires in a run. */
  alarm() {}
}

/** One user's object, like Baton's UserSessions: written when a family starts or ends. */
export class Sessions extends DurableObject {
  add(sid) {
    const kv = this.ctx.storage.kv;
    kv.get("signed_out_at");
    for (const _entry of kv.list({ prefix: "grant:" }));
    kv.put(`grant:${sid}`, { clientId: CLIENT_ID, endsBy: Math.floor(Date.now() / 1000) + 7_776_000 });
    return true;
  }
}

const JSON_HEADERS = { "Content-Type": "application/json", "Cache-Control": "no-store" };

/** The bare work of one operation, `edge` and `object` naming the steps (a typo is a 500). */
async function floor(request, env, url) {
  const steps = (name, table) => {
    const list = (url.searchParams.get(name) ?? "").split(",").filter(Boolean);
    const unknown = list.find((step) => !Object.hasOwn(table, step));
    if (unknown !== undefined) throw new Error(`unknown ${name} step ${unknown}`);
    return list;
  };
  const edge = steps("edge", EDGE);
  const object = steps("object", OBJECT);
  const type = request.headers.get("Content-Type") ?? "";
  // Read as bytes, as Baton reads a body: under wrangler dev, `text()` costs wrangler's own Node
  // process about 0.5 ms a request (see the body-and-logs check), which Baton does not pay.
  const text = request.method === "GET" ? "" : new TextDecoder().decode(await request.arrayBuffer());
  const fields = type.startsWith("application/json")
    ? new Map(Object.entries(JSON.parse(text)))
    : request.method === "GET"
      ? url.searchParams
      : new URLSearchParams(text);
  const source = request.headers.get("CF-Connecting-IP") ?? "unknown";
  const run = { chain: fields.get("chain"), fields, object, source, tokens: [], k: await loadKeys(env) };
  for (const step of edge) await EDGE[step](run, env, request);
  const status = Number(url.searchParams.get("status") ?? 200);
  if (status === 302) {
    const location = `${ISSUER}/login?authorization_request=${encodeURIComponent(run.id)}`;
    return new Response(null, { status, headers: { Location: location, "Cache-Control": "no-store" } });
  }
  return new Response(JSON.stringify({ chain: run.chain, tokens: run.tokens }), { status, headers: JSON_HEADERS });
}

/**
 * Reads the body the way `?read=` says: formData (default), text, arrayBuffer, or a stream
 * reader. `warn` logs a warning first (to show that a warning would be seen), and `log` one info
 * line the size of Baton's per-request line (to price it); both then read with formData.
 */
async function readForm(request, how) {
  if (how === "warn") console.warn("bench: a warning on purpose");
  if (how === "log") {
    console.log(
      JSON.stringify({
        level: "info",
        message: "request",
        request_id: crypto.randomUUID(),
        method: request.method,
        route: "/oauth2/token",
        status: 200,
        outcome: "ok",
        grant: "refresh_token",
        client_id: "client_0123456789abcdefghijkl",
        duration_ms: 3,
      }),
    );
  }
  if (how === "text") return new URLSearchParams(await request.text());
  if (how === "arrayBuffer") return new URLSearchParams(new TextDecoder().decode(await request.arrayBuffer()));
  if (how === "reader") {
    const reader = request.body.getReader();
    const chunks = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
    return new URLSearchParams(new TextDecoder().decode(await new Blob(chunks).arrayBuffer()));
  }
  const data = await request.formData();
  return { get: (name) => data.get(name) };
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/floor") {
      try {
        return await floor(request, env, url);
      } catch (error) {
        // The floor checks nothing; a failure here is a broken benchmark, said plainly.
        return new Response(JSON.stringify({ error: String(error) }), { status: 500, headers: JSON_HEADERS });
      }
    }
    if (request.method === "POST" && url.pathname === "/trivial") {
      const params = await readForm(request, url.searchParams.get("read"));
      return new Response(JSON.stringify({ refresh_token: params.get("refresh_token") }), { headers: JSON_HEADERS });
    }
    if (request.method === "POST" && url.pathname === "/minimal-refresh") {
      const params = await readForm(request, url.searchParams.get("read"));
      const token = params.get("refresh_token") ?? "";
      const chain = token.slice(0, token.indexOf("."));
      await env.CLIENTS.get(CLIENT_KEY, "json");
      const body = await env.CHAINS.get(env.CHAINS.idFromName(chain)).refresh(chain);
      return new Response(body, { headers: JSON_HEADERS });
    }
    if (request.method === "POST" && url.pathname === "/start") {
      const chain = crypto.randomUUID();
      await env.CHAINS.get(env.CHAINS.idFromName(chain)).open(chain, url.searchParams.get("alarm") !== "0");
      const accessToken = await signJwt(await loadKeys(env), chain, "at+jwt");
      return new Response(JSON.stringify({ refresh_token: `${chain}.0`, chain, access_token: accessToken }), {
        headers: JSON_HEADERS,
      });
    }
    if (request.method === "PUT" && url.pathname === "/setup") {
      await env.CLIENTS.put(CLIENT_KEY, await request.text());
      return new Response(null, { status: 204 });
    }
    return new Response("not found", { status: 404 });
  },
};
