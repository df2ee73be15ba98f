// The steps the floors are made of (see index.js): what Baton's routes do, as bare work. EDGE
// steps run in the Worker, OBJECT steps in a chain's Durable Object; CRYPTO holds the ones both
// sides share.
import { SignJWT, importJWK, jwtVerify } from "jose";

export const ISSUER = "http://127.0.0.1";
export const CLIENT_ID = "client_bench";
export const CLIENT_KEY = `client:${CLIENT_ID}`;
const SECRET = "bsk_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";
const DAY_MS = 86_400_000;
const encoder = new TextEncoder();
// What Baton seals and MACs, at their sizes: a pending request, a token response, a sid.
const PENDING_PAD = "p".repeat(400);
const ANSWER = encoder.encode("a".repeat(1200));
// (Fixed bytes: the runtime allows no random values at global scope, and the cost is the same.)
const SID_RANDOM = new Uint8Array(16).fill(7);
const REFRESH_PAYLOAD = new Uint8Array(36).fill(9);

let keys;
/** The signing key and the HMAC and AES keys, imported once per isolate, as Baton's are. */
export function loadKeys(env) {
  keys ??= (async () => {
    const jwk = JSON.parse(env.SIGNING_KEY);
    const { d: _private, ...publicJwk } = jwk;
    // Derived from the signing key so that every isolate (Worker, objects) seals alike.
    const raw = await crypto.subtle.digest("SHA-256", encoder.encode(env.SIGNING_KEY));
    const hmac = { name: "HMAC", hash: "SHA-256" };
    return {
      kid: jwk.kid,
      key: await importJWK(jwk, "ES256"),
      publicKey: await importJWK(publicJwk, "ES256"),
      hmac: await crypto.subtle.importKey("raw", raw, hmac, false, ["sign", "verify"]),
      aes: await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]),
    };
  })();
  return keys;
}

export function signJwt(k, chain, typ) {
  const now = Math.floor(Date.now() / 1000);
  const claims =
    typ === "at+jwt"
      ? { client_id: CLIENT_ID, scope: "openid offline_access", jti: crypto.randomUUID(), exp: now + 300 }
      : { exp: now + 3600, auth_time: now };
  return new SignJWT({ iss: ISSUER, sub: `user_${chain}`, aud: CLIENT_ID, iat: now, sid: chain, ...claims })
    .setProtectedHeader({ alg: "ES256", kid: k.kid, typ })
    .sign(k.key);
}

// Baton's client cache (clients/store.ts): a KV read at most once per 30 s per isolate.
let cachedClient;
async function getCachedClient(env) {
  if (cachedClient !== undefined && cachedClient.expires > Date.now()) return cachedClient.record;
  const record = await env.CLIENTS.get(CLIENT_KEY, "json");
  cachedClient = { record, expires: Date.now() + 30_000 };
  return record;
}

/** Steps both sides can do; `run` is { chain, fields, tokens, k }. */
const CRYPTO = {
  sha256: () => crypto.subtle.digest("SHA-256", encoder.encode(SECRET)),
  hmac: (run) => crypto.subtle.sign("HMAC", run.k.hmac, SID_RANDOM),
  // A family's MAC key: an HMAC of its own key, imported (refresh-token.ts:58-59).
  derive: async (run) => {
    const raw = await crypto.subtle.sign("HMAC", run.k.hmac, REFRESH_PAYLOAD);
    return crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
  },
  // The retry window's sealed answer: a key derived from the token's MAC, then AES-GCM.
  hkdf: async (run) => {
    const material = await crypto.subtle.importKey("raw", SID_RANDOM, "HKDF", false, ["deriveKey"]);
    const params = { name: "HKDF", hash: "SHA-256", salt: SID_RANDOM, info: ANSWER.subarray(0, 16) };
    const key = await crypto.subtle.deriveKey(params, material, { name: "AES-GCM", length: 256 }, false, ["encrypt"]);
    const iv = crypto.getRandomValues(new Uint8Array(12));
    // Kept in the state the next `put` writes, as a family keeps its retry answer.
    run.sealed = { iv, ciphertext: new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, ANSWER)) };
  },
  sign: async (run) => {
    run.tokens.push(await signJwt(run.k, run.chain, run.tokens.length === 0 ? "at+jwt" : "JWT"));
  },
};

/** Steps in the Worker. `do` calls the chain's object with the `object` steps. */
export const EDGE = {
  ...CRYPTO,
  kv: (_run, env) => env.CLIENTS.get(CLIENT_KEY, "json"),
  kvc: (_run, env) => getCachedClient(env),
  limit: (run, env) => env.LIMITER.limit({ key: run.source }),
  // A new record of a client's size that KV deletes by itself a week on, as a registration's.
  kvput: (run, env) =>
    env.CLIENTS.put(`client:${crypto.randomUUID()}`, JSON.stringify({ pad: PENDING_PAD }), {
      expiration: Math.floor(Date.now() / 1000) + 7 * 86_400,
    }),
  fresh: (run) => {
    run.chain = crypto.randomUUID();
  },
  seal: async (run) => {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const plain = encoder.encode(JSON.stringify({ chain: run.chain, pad: PENDING_PAD }));
    const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, run.k.aes, plain));
    run.id = btoa(String.fromCharCode(...iv, ...sealed));
  },
  unseal: async (run) => {
    const bytes = Uint8Array.from(atob(run.fields.get("id") ?? ""), (c) => c.charCodeAt(0));
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: bytes.subarray(0, 12) },
      run.k.aes,
      bytes.subarray(12),
    );
    run.chain = JSON.parse(new TextDecoder().decode(plain)).chain;
  },
  verify: async (run, _env, request) => {
    const header = request.headers.get("Authorization") ?? "";
    const token = header.startsWith("Bearer ")
      ? header.slice(7)
      : (run.fields.get("token") ?? run.fields.get("subject_token"));
    const { payload } = await jwtVerify(token, run.k.publicKey, {
      issuer: ISSUER,
      typ: "at+jwt",
      algorithms: ["ES256"],
    });
    run.chain = payload.sid ?? run.chain;
  },
  do: async (run, env) => {
    // Every chain has its own object, as every grant has: a missing name would send them all to one.
    if (typeof run.chain !== "string") throw new Error("no chain names the object");
    run.tokens.push(...(await env.CHAINS.get(env.CHAINS.idFromName(run.chain)).work(run.chain, run.object)));
  },
};

/** Steps inside the object, on its synchronous storage like Baton's grant (grant/store.ts). */
export const OBJECT = {
  ...CRYPTO,
  get: (run, ctx) => {
    run.state = ctx.storage.kv.get("state");
  },
  // A login's code, read when it is redeemed (a hit, where `get` on a fresh grant misses).
  getcode: (run, ctx) => {
    run.code = ctx.storage.kv.get("code");
  },
  // Each write stores a new value, as each of Baton's does: the runtime makes rewriting the very
  // same value almost free (a floor that did so once ran 0.3 ms a refresh under Miniflare too fast).
  put: (run, ctx) => {
    const generation = (run.state?.generation ?? 0) + 1;
    run.state = {
      chain: run.chain,
      generation,
      subject: `user_${run.chain}`,
      ...(run.sealed && { sealed: run.sealed }),
    };
    ctx.storage.kv.put("state", run.state);
  },
  // A login's code: written when the user completes, deleted when it is redeemed.
  code: (run, ctx) => ctx.storage.kv.put("code", { chain: run.chain, expiresAt: Date.now() + 60_000 }),
  del: (run, ctx) => ctx.storage.kv.delete("code"),
  alarm: (run, ctx) => ctx.storage.setAlarm(Date.now() + DAY_MS),
  delete: (run, ctx) => ctx.storage.deleteAll(),
  sessions: (run, _ctx, env) => env.SESSIONS.get(env.SESSIONS.idFromName(`user_${run.chain}`)).add(run.chain),
};
