// node-oidc-provider for the benchmark, configured as close to Baton as it goes: refresh token
// rotation on, ES256 keys, JWT access tokens for the API (through resource indicators) so that a
// refresh signs two JWTs as Baton's does, Basic client authentication, and the features every
// benchmark operation needs (client credentials, introspection, revocation, open dynamic
// registration, the device flow). Logins are approved at once by the interaction route below (the
// login and the consent in one step, as Baton's host application hands a login back), so that a
// load generator can run the real authorization code flow.
//
// Storage: STORE=memory is oidc-provider's own in-memory adapter (its default); STORE=redis is
// servers/redis-adapter.mjs on Redis at REDIS_URL or, without one, on a redis-server started here
// as this process's child (lib/redis.mjs), so that its CPU is counted with this server's.
//
//   PORT, SIGNING_KEY (private ES256 JWK), REDIRECT_URI,
//   CLIENT_ID, CLIENT_SECRET (the web client: authorization code + refresh token),
//   MACHINE_CLIENT_ID, MACHINE_CLIENT_SECRET (client_credentials),
//   DEVICE_CLIENT_ID (public, device code), STORE (memory | redis), REDIS_URL (optional),
//   REDIS_APPENDFSYNC (everysec | always: the started redis-server's flushes; everysec by default)
import http from "node:http";
import Provider, { errors } from "oidc-provider";

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const store = process.env.STORE ?? "memory";

/** The API: its access tokens are ES256 JWTs, like Baton's. */
const RESOURCE = "urn:bench:api";
/**
 * A second API whose access tokens are opaque (stored) handles: oidc-provider answers
 * unsupported_token_type when asked to introspect a JWT access token, so the introspection
 * route introspects these, the tokens it can.
 */
const OPAQUE_RESOURCE = "urn:bench:opaque-api";
/** The API's scope. A request without it gets no resource, hence an opaque token for userinfo. */
const API_SCOPE = "read";
const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

if (!["memory", "redis"].includes(store)) throw new Error(`STORE must be memory or redis, not ${store}`);

let adapter; // undefined: oidc-provider's in-memory adapter
let redis; // the redis-server started here, if any
let redisClient;
if (store === "redis") {
  const { redisAdapter } = await import("./redis-adapter.mjs");
  let url = process.env.REDIS_URL;
  if (!url) {
    const { startRedis } = await import("../lib/redis.mjs");
    redis = await startRedis({ appendfsync: process.env.REDIS_APPENDFSYNC || "everysec" });
    url = redis.url;
    console.log(`redis-server ${redis.pid} on ${url}, data in ${redis.dir}`);
  }
  ({ Adapter: adapter, client: redisClient } = redisAdapter(url));
}

/** The resource the authorization request is for when it names none: the API, if its scope is asked. */
const defaultResource = (scope) => (scope?.split(" ").includes(API_SCOPE) ? RESOURCE : undefined);

const provider = new Provider(issuer, {
  adapter,
  clients: [
    {
      client_id: process.env.CLIENT_ID,
      client_secret: process.env.CLIENT_SECRET,
      redirect_uris: [process.env.REDIRECT_URI],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
    {
      client_id: process.env.MACHINE_CLIENT_ID,
      client_secret: process.env.MACHINE_CLIENT_SECRET,
      redirect_uris: [],
      grant_types: ["client_credentials"],
      response_types: [],
      token_endpoint_auth_method: "client_secret_basic",
    },
    {
      client_id: process.env.DEVICE_CLIENT_ID,
      redirect_uris: [],
      grant_types: [DEVICE_CODE_GRANT, "refresh_token"],
      response_types: [],
      token_endpoint_auth_method: "none",
    },
  ],
  // The only key is ES256: every client, registered ones included, signs its ID tokens with it.
  clientDefaults: { id_token_signed_response_alg: "ES256" },
  jwks: { keys: [JSON.parse(process.env.SIGNING_KEY)] },
  cookies: { keys: ["bench-only-cookie-key"] },
  rotateRefreshToken: true,
  pkce: { required: () => false },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    // Open registration (no initial access token), as MCP clients register themselves.
    registration: { enabled: true },
    deviceFlow: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: (ctx) => defaultResource(ctx.oidc.params.scope),
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, indicator) => {
        if (indicator === RESOURCE) {
          return {
            scope: API_SCOPE,
            audience: RESOURCE,
            accessTokenTTL: 300,
            accessTokenFormat: "jwt",
            jwt: { sign: { alg: "ES256" } },
          };
        }
        if (indicator === OPAQUE_RESOURCE) {
          return { scope: API_SCOPE, audience: OPAQUE_RESOURCE, accessTokenTTL: 300, accessTokenFormat: "opaque" };
        }
        throw new errors.InvalidTarget();
      },
    },
  },
  ttl: {
    AccessToken: 300,
    ClientCredentials: 300,
    IdToken: 3600,
    RefreshToken: 14 * 24 * 3600,
    Grant: 14 * 24 * 3600,
    Session: 14 * 24 * 3600,
    Interaction: 600,
    DeviceCode: 600,
  },
  findAccount: (_ctx, accountId) => ({ accountId, claims: () => ({ sub: accountId }) }),
});
provider.on("server_error", (_ctx, error) => console.error("server_error", error));

/**
 * Approves the pending interaction. At the login prompt it logs in `login_hint` and grants
 * everything asked in the same result, so one interaction satisfies both prompts (a forced
 * `prompt=consent`, which oidc-provider requires for offline_access, included).
 */
async function approve(req, res) {
  const { prompt, params, session, grantId } = await provider.interactionDetails(req, res);
  const accountId = prompt.name === "login" ? (params.login_hint ?? "bench-user") : session.accountId;
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId, clientId: params.client_id });
  const scopes = (params.scope ?? "").split(" ");
  grant.addOIDCScope(scopes.filter((s) => s !== API_SCOPE).join(" "));
  const resource = params.resource ?? defaultResource(params.scope);
  if (resource !== undefined && scopes.includes(API_SCOPE)) grant.addResourceScope(resource, API_SCOPE);
  const result = { consent: { grantId: await grant.save() } };
  if (prompt.name === "login") result.login = { accountId };
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
}

const callback = provider.callback();
const server = http.createServer((req, res) => {
  if (req.url.startsWith("/interaction/")) {
    approve(req, res).catch((error) => {
      res.statusCode = 500;
      res.end(String(error));
    });
    return;
  }
  callback(req, res);
});
server.listen(port, "127.0.0.1");

// The harness stops this server with SIGTERM to its process group (which reaches redis-server
// too); either way the Redis started here must not outlive it.
async function shutdown() {
  server.close();
  redisClient?.disconnect();
  await redis?.stop();
  process.exit(0);
}
process.once("SIGTERM", shutdown);
process.once("SIGINT", shutdown);
process.once("exit", () => redis?.kill());
