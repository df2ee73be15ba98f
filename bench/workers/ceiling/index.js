// The ceilings Baton's refresh grant is measured against, on the same runtime:
// - POST /trivial: reads the form body and answers a fixed JSON body (what a POST costs at all);
// - POST /minimal-refresh: one KV get (a client record), one Durable Object call that reads its
//   state, signs two ES256 JWTs with jose and writes its state: Baton's I/O and signatures with
//   none of its checks.
// Tokens are `<chain>.<generation>`; POST /start opens a chain, PUT /setup writes the KV record.
import { DurableObject } from "cloudflare:workers";
import { SignJWT, importJWK } from "jose";

const ISSUER = "http://127.0.0.1";
const CLIENT_ID = "client_bench";
let signingKey;

function loadKey(env) {
  signingKey ??= importJWK(JSON.parse(env.SIGNING_KEY), "ES256").then((key) => ({
    key,
    kid: JSON.parse(env.SIGNING_KEY).kid,
  }));
  return signingKey;
}

/** One chain's state, like a grant's object. */
export class Chain extends DurableObject {
  /** Creates the chain's state, as a login creates a grant's object before its first refresh. */
  open(chain) {
    this.ctx.storage.kv.put("state", { generation: 0, subject: `user_${chain}` });
  }

  async refresh(chain) {
    const { key, kid } = await loadKey(this.env);
    const state = this.ctx.storage.kv.get("state") ?? { generation: 0, subject: `user_${chain}` };
    const now = Math.floor(Date.now() / 1000);
    const accessToken = await new SignJWT({
      iss: ISSUER,
      sub: state.subject,
      aud: CLIENT_ID,
      client_id: CLIENT_ID,
      scope: "openid offline_access",
      jti: crypto.randomUUID(),
      iat: now,
      exp: now + 300,
      sid: chain,
    })
      .setProtectedHeader({ alg: "ES256", kid, typ: "at+jwt" })
      .sign(key);
    const idToken = await new SignJWT({
      iss: ISSUER,
      sub: state.subject,
      aud: CLIENT_ID,
      iat: now,
      exp: now + 3600,
      sid: chain,
    })
      .setProtectedHeader({ alg: "ES256", kid, typ: "JWT" })
      .sign(key);
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
}

const JSON_HEADERS = { "Content-Type": "application/json", "Cache-Control": "no-store" };

/**
 * Reads the body the way `?read=` says: formData (default), text, arrayBuffer, or a stream
 * reader. `warn`
 * logs a warning first (to show that a warning would be seen), and `log` one info line the size
 * of Baton's per-request line (to price it); both then read with formData.
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
    if (request.method === "POST" && url.pathname === "/trivial") {
      const params = await readForm(request, url.searchParams.get("read"));
      return new Response(JSON.stringify({ refresh_token: params.get("refresh_token") }), { headers: JSON_HEADERS });
    }
    if (request.method === "POST" && url.pathname === "/minimal-refresh") {
      const params = await readForm(request, url.searchParams.get("read"));
      const token = params.get("refresh_token") ?? "";
      const chain = token.slice(0, token.indexOf("."));
      await env.CLIENTS.get(`client:${CLIENT_ID}`, "json");
      const body = await env.CHAINS.get(env.CHAINS.idFromName(chain)).refresh(chain);
      return new Response(body, { headers: JSON_HEADERS });
    }
    if (request.method === "POST" && url.pathname === "/start") {
      const chain = crypto.randomUUID();
      await env.CHAINS.get(env.CHAINS.idFromName(chain)).open(chain);
      return new Response(JSON.stringify({ refresh_token: `${chain}.0` }), { headers: JSON_HEADERS });
    }
    if (request.method === "PUT" && url.pathname === "/setup") {
      await env.CLIENTS.put(`client:${CLIENT_ID}`, await request.text());
      return new Response(null, { status: 204 });
    }
    return new Response("not found", { status: 404 });
  },
};
