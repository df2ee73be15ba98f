#!/usr/bin/env node
// `npm run test:mcp`: the MCP TypeScript SDK's own OAuth client against a real, isolated
// `wrangler dev`, guarding a small MCP server (./resource-server.mjs), as an MCP client would
// meet Baton in the field. Four ways for a client with a user to be known to Baton:
//
//   (a) dynamic client registration (RFC 7591), done by the SDK's `auth()`;
//   (b) a Client ID Metadata Document served on 127.0.0.1 (its URL is the client_id);
//   (c) a metadata document with a public key: the client authenticates by private_key_jwt,
//       with the assertions of the SDK's createPrivateKeyJwtAuth;
//   (d) a client registered beforehand through the admin API (confidential).
//
// and, without a user:
//
//   (e) the SDK's PrivateKeyJwtProvider: client_credentials, authenticated by private_key_jwt;
//   (f) a token Baton issued for another resource, which the MCP server must refuse.
//
// Each path: the SDK's 401 → protected resource metadata → authorization server metadata →
// (registration) → authorization request with PKCE and `resource` → the development login,
// driven over HTTP like a browser → code exchange → a `whoami` tool call as the signed-in user;
// two refreshes forced through `auth()`, each followed by a tool call; revocation of the refresh
// token at /oauth2/revoke; then a tool call that the server refuses with 401, after which the
// SDK's refresh is refused too and it asks for a new sign-in. Path (e) has no refresh token and
// no family to revoke: there, deleting the client ends its tokens, and the SDK's next token
// request is invalid_client.
//
// Prints one line per path; exits 1 if any fails. Only 127.0.0.1 is addressed.
import { createServer } from "node:http";
import { performance } from "node:perf_hooks";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { UnauthorizedError, auth } from "@modelcontextprotocol/sdk/client/auth.js";
import { PrivateKeyJwtProvider, createPrivateKeyJwtAuth } from "@modelcontextprotocol/sdk/client/auth-extensions.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { exportJWK, generateKeyPair } from "jose";
import { adminJsonApi } from "../cli/admin-api.mjs";
import { freePort, startDevServer } from "../dev-server.mjs";
import { DevLoginProvider } from "./provider.mjs";
import { MCP_SCOPE, startResourceServer } from "./resource-server.mjs";

const PATH_TIMEOUT_MS = 15_000;
const TOTAL_TIMEOUT_MS = 40_000;
const started = performance.now();

const mcpPort = await freePort();
const resource = `http://127.0.0.1:${mcpPort}/mcp`;
// Another resource server Baton issues tokens for; nothing needs to listen there.
const otherResource = `http://127.0.0.1:${await freePort()}/other-mcp`;
const baton = await startDevServer({
  vars: {
    DYNAMIC_REGISTRATION: "open",
    CLIENT_ID_METADATA_DOCUMENTS: "true",
    CLIENT_METADATA_ALLOW_LOOPBACK: "true",
    SCOPES: MCP_SCOPE,
    RESOURCES: `${resource} ${otherResource}`,
  },
});
const issuer = baton.url;
const admin = adminJsonApi(baton);
let mcp;
let documents;
const results = [];
// However many paths hang, CI waits at most this long.
setTimeout(() => {
  for (const { line } of results) console.log(`mcp sdk ${line}`);
  console.log(`mcp sdk against wrangler dev: FAILED, no result within ${TOTAL_TIMEOUT_MS / 1000} s`);
  baton.stop("SIGKILL").finally(() => process.exit(1));
}, TOTAL_TIMEOUT_MS).unref();
try {
  const introspectionClient = await admin("POST", "/admin/clients", {
    client_name: "Baton e2e MCP server (introspection)",
    grant_types: ["client_credentials"],
    token_endpoint_auth_method: "client_secret_basic",
    scope: MCP_SCOPE,
  });
  mcp = await startResourceServer({ port: mcpPort, issuer, introspectionClient });
  if (mcp.resource !== resource) throw new Error(`the MCP server is at ${mcp.resource}, not ${resource}`);
  documents = await startDocumentServer();

  results.push(
    await runPath("(a) dynamic registration", async (step) => {
      const redirectUrl = `http://127.0.0.1:${await freePort()}/callback`;
      const provider = new DevLoginProvider({
        redirectUrl,
        issuer,
        user: user("user_mcp_dcr"),
        clientMetadata: {
          client_name: "Baton e2e MCP client (registered dynamically)",
          redirect_uris: [redirectUrl],
          grant_types: ["authorization_code", "refresh_token"],
          response_types: ["code"],
          token_endpoint_auth_method: "none",
        },
      });
      return exercise(provider, step);
    }),
  );

  results.push(
    await runPath("(b) client ID metadata document", async (step) => {
      step("discovery advertises client ID metadata documents");
      const metadata = await (await fetch(`${issuer}/.well-known/oauth-authorization-server`)).json();
      // What the SDK's auth() keys on before it uses a URL as client_id.
      if (metadata.client_id_metadata_document_supported !== true) {
        throw new Error(
          `client_id_metadata_document_supported is ${JSON.stringify(metadata.client_id_metadata_document_supported)}, not true`,
        );
      }
      const port = await freePort();
      const clientId = await documents.publish("/mcp-client.json", (id) => ({
        client_id: id,
        client_name: "Baton e2e MCP client (metadata document)",
        // Registered without a port, used with one (RFC 8252 §7.3), as native MCP clients do.
        redirect_uris: ["http://127.0.0.1/callback"],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: "none",
      }));
      // The SDK (1.32) uses `clientMetadataUrl` as the client_id only when it is https; the
      // document here is served on http://127.0.0.1 (CLIENT_METADATA_ALLOW_LOOPBACK), so the
      // client information the SDK would have saved is handed to it directly.
      const provider = new DevLoginProvider({
        redirectUrl: `http://127.0.0.1:${port}/callback`,
        issuer,
        user: user("user_mcp_cimd"),
        clientInformation: { client_id: clientId },
        clientMetadata: { client_name: "unused", redirect_uris: [`http://127.0.0.1:${port}/callback`] },
      });
      const outcome = await exercise(provider, step);
      const fetched = documents.fetches("/mcp-client.json");
      if (fetched === 0) throw new Error("Baton never fetched the metadata document");
      return `${outcome}, document fetched ${fetched}×`;
    }),
  );

  results.push(
    await runPath("(c) metadata document with a key (private_key_jwt)", async (step) => {
      const port = await freePort();
      const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
      const clientId = await documents.publish("/mcp-client-keyed.json", async (id) => ({
        client_id: id,
        client_name: "Baton e2e MCP client (metadata document with a key)",
        redirect_uris: ["http://127.0.0.1/callback"],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: "private_key_jwt",
        jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: "client-1", alg: "ES256", use: "sig" }] },
      }));
      const provider = new DevLoginProvider({
        redirectUrl: `http://127.0.0.1:${port}/callback`,
        issuer,
        user: user("user_mcp_cimd_keyed"),
        clientInformation: { client_id: clientId },
        clientMetadata: { client_name: "unused", redirect_uris: [`http://127.0.0.1:${port}/callback`] },
      });
      // The SDK's own private_key_jwt assertion, for every token request (and revocation, below).
      provider.addClientAuthentication = createPrivateKeyJwtAuth({
        issuer: clientId,
        subject: clientId,
        privateKey: await exportJWK(privateKey),
        alg: "ES256",
      });
      return exercise(provider, step);
    }),
  );

  results.push(
    await runPath("(d) pre-registered client", async (step) => {
      const redirectUrl = `http://127.0.0.1:${await freePort()}/callback`;
      step("register the client through the admin API");
      const registered = await admin("POST", "/admin/clients", {
        client_name: "Baton e2e MCP client (pre-registered)",
        redirect_uris: [redirectUrl],
        grant_types: ["authorization_code", "refresh_token"],
        token_endpoint_auth_method: "client_secret_basic",
        scope: MCP_SCOPE,
      });
      const provider = new DevLoginProvider({
        redirectUrl,
        issuer,
        user: user("user_mcp_registered"),
        clientInformation: {
          client_id: registered.client_id,
          client_secret: registered.client_secret,
          token_endpoint_auth_method: "client_secret_basic",
        },
        clientMetadata: { client_name: registered.client_name, redirect_uris: [redirectUrl] },
      });
      return exercise(provider, step);
    }),
  );

  results.push(
    await runPath("(e) machine to machine, private_key_jwt", async (step) => {
      step("register a private_key_jwt client through the admin API");
      const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
      const registered = await admin("POST", "/admin/clients", {
        client_name: "Baton e2e MCP agent (private_key_jwt)",
        grant_types: ["client_credentials"],
        token_endpoint_auth_method: "private_key_jwt",
        jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: "agent-1", alg: "ES256", use: "sig" }] },
        scope: MCP_SCOPE,
      });
      const provider = new PrivateKeyJwtProvider({
        clientId: registered.client_id,
        privateKey: await exportJWK(privateKey),
        algorithm: "ES256",
        expectedIssuer: issuer,
        scope: MCP_SCOPE,
      });
      return exerciseMachine(provider, registered.client_id, step);
    }),
  );

  results.push(
    await runPath("(f) a token for another resource", async (step) => {
      step("client_credentials with resource = the other server");
      const response = await fetch(`${issuer}/oauth2/token`, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          Authorization: basic(introspectionClient),
        },
        body: new URLSearchParams({ grant_type: "client_credentials", scope: MCP_SCOPE, resource: otherResource }),
      });
      const tokens = await response.json();
      if (response.status !== 200)
        throw new Error(`the token endpoint answered ${response.status} ${JSON.stringify(tokens)}`);
      step("tool call with that token");
      const client = new Client({ name: "baton-e2e", version: "1.0.0" });
      const transport = new StreamableHTTPClientTransport(new URL(mcp.url), {
        requestInit: { headers: { Authorization: `Bearer ${tokens.access_token}` } },
      });
      const served = mcp.requests.length;
      try {
        await client.connect(transport);
        throw new Error("the MCP server accepted a token for another resource");
      } catch (error) {
        if (error?.code !== 401) throw error;
      }
      const refusal = mcp.requests.slice(served).find((r) => r.status === 401)?.refusal ?? "";
      if (!refusal.includes('"aud"')) throw new Error(`refused, but not for its audience: ${refusal}`);
      return `aud ${otherResource} refused with 401`;
    }),
  );
} catch (error) {
  results.push({ ok: false, line: `setup FAILED: ${error?.stack ?? error}` });
} finally {
  await mcp?.stop();
  await documents?.stop();
  await baton.stop();
}

for (const { line } of results) console.log(`mcp sdk ${line}`);
const failed = results.filter((r) => !r.ok).length;
console.log(
  `mcp sdk against wrangler dev: ${failed === 0 ? "passed" : `${failed} of ${results.length} FAILED`} in ` +
    `${((performance.now() - started) / 1000).toFixed(1)} s`,
);
process.exit(failed === 0 ? 0 : 1);

/**
 * One path from the first 401 to the refused call after revocation; resolves with a summary.
 * `step(name)` names what is being done, for the failure line.
 */
async function exercise(provider, step) {
  const tokenCalls = [];
  const fetchFn = recordingFetch(tokenCalls);
  const serverUrl = new URL(mcp.url);
  const connect = async () => {
    const client = new Client({ name: "baton-e2e", version: "1.0.0" });
    const transport = new StreamableHTTPClientTransport(serverUrl, { authProvider: provider, fetch: fetchFn });
    await client.connect(transport);
    return { client, transport };
  };
  const whoami = async (client) => {
    const result = await client.callTool({ name: "whoami" });
    if (result.isError) throw new Error(`whoami failed: ${JSON.stringify(result.content)}`);
    return result.structuredContent;
  };

  step("connect: 401, discovery, registration, sign-in");
  const first = new StreamableHTTPClientTransport(serverUrl, { authProvider: provider, fetch: fetchFn });
  try {
    await new Client({ name: "baton-e2e", version: "1.0.0" }).connect(first);
    throw new Error("the MCP server let the client in without a token");
  } catch (error) {
    if (!(error instanceof UnauthorizedError)) throw error;
  }
  if (provider.authorizationCode === undefined) throw new Error("no sign-in happened");
  const request = provider.authorizationRequests[0];
  if (request.searchParams.get("resource") !== mcp.resource) {
    throw new Error(`the SDK sent resource=${request.searchParams.get("resource")}, expected ${mcp.resource}`);
  }
  const clientId = provider.clientInformation()?.client_id;

  step("code exchange");
  await first.finishAuth(provider.authorizationCode);
  await first.close();
  const firstTokens = provider.tokens();
  if (firstTokens.refresh_token === undefined) {
    throw new Error(`the token response has no refresh_token (scope "${firstTokens.scope}")`);
  }

  step("tool call");
  const { client } = await connect();
  const me = await whoami(client);
  if (me.sub !== provider.user.subject) throw new Error(`whoami says sub ${me.sub}, not ${provider.user.subject}`);
  if (me.client_id !== clientId) throw new Error(`whoami says client ${me.client_id}, not ${clientId}`);

  for (const n of [1, 2]) {
    step(`refresh ${n}`);
    const before = provider.tokens();
    const outcome = await auth(provider, { serverUrl, fetchFn });
    if (outcome !== "AUTHORIZED") throw new Error(`auth() answered ${outcome} instead of refreshing`);
    const after = provider.tokens();
    const last = tokenCalls.at(-1);
    if (last?.grant_type !== "refresh_token" || last.status !== 200) {
      throw new Error(`the last token request was ${JSON.stringify(last)}, not a successful refresh`);
    }
    if (after.refresh_token === before.refresh_token) throw new Error("the refresh token was not rotated");
    if (after.access_token === before.access_token) throw new Error("no new access token");
    step(`tool call after refresh ${n}`);
    const again = await whoami(client);
    if (again.sub !== provider.user.subject) throw new Error(`whoami says sub ${again.sub} after refresh ${n}`);
  }

  step("revocation");
  const metadata = provider.discoveryState()?.authorizationServerMetadata;
  if (!metadata?.revocation_endpoint) throw new Error("discovery has no revocation_endpoint");
  await revoke(metadata.revocation_endpoint, provider, provider.tokens().refresh_token);

  step("tool call after revocation");
  provider.signInAllowed = false;
  const signInsBefore = provider.authorizationRequests.length;
  const servedBefore = mcp.requests.length;
  try {
    await whoami(client);
    throw new Error("the tool call still succeeded after revocation");
  } catch (error) {
    if (!(error instanceof UnauthorizedError)) throw error;
  }
  const refused = mcp.requests.slice(servedBefore).find((r) => r.method === "POST" && r.status === 401);
  if (refused === undefined) throw new Error("the MCP server did not answer 401");
  const refresh = tokenCalls.at(-1);
  if (refresh?.grant_type !== "refresh_token" || refresh.error !== "invalid_grant") {
    throw new Error(`after revocation the SDK's refresh got ${JSON.stringify(refresh)}, not invalid_grant`);
  }
  if (provider.authorizationRequests.length !== signInsBefore + 1)
    throw new Error("the SDK did not ask for a new sign-in");
  await client.close();
  return `client ${short(clientId)}, sub ${me.sub}, aud ${me.aud}, 2 refreshes, revoked → 401, refresh invalid_grant`;
}

/**
 * A client without a user: the SDK gets a token by itself on the first 401, the tool call works;
 * once the client is deleted its token is refused, and so is its next token request.
 */
async function exerciseMachine(provider, clientId, step) {
  const tokenCalls = [];
  const fetchFn = recordingFetch(tokenCalls);
  step("connect: 401, discovery, client_credentials");
  const client = new Client({ name: "baton-e2e-agent", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(mcp.url), { authProvider: provider, fetch: fetchFn }));
  const grant = tokenCalls.at(-1);
  if (grant?.grant_type !== "client_credentials" || grant.status !== 200) {
    throw new Error(`the token request was ${JSON.stringify(grant)}`);
  }

  step("tool call");
  const result = await client.callTool({ name: "whoami" });
  if (result.isError) throw new Error(`whoami failed: ${JSON.stringify(result.content)}`);
  const me = result.structuredContent;
  if (me.client_id !== clientId) throw new Error(`whoami says client ${me.client_id}, not ${clientId}`);

  step("delete the client, then a tool call");
  await admin("DELETE", `/admin/clients/${encodeURIComponent(clientId)}`);
  const servedBefore = mcp.requests.length;
  try {
    await client.callTool({ name: "whoami" });
    throw new Error("the tool call still succeeded after the client was deleted");
  } catch (error) {
    if (error?.errorCode !== "invalid_client") throw error;
  }
  if (!mcp.requests.slice(servedBefore).some((r) => r.status === 401))
    throw new Error("the MCP server did not answer 401");
  await client.close();
  return `client ${short(clientId)}, sub ${me.sub}, aud ${me.aud}, deleted → 401, token request invalid_client`;
}

/**
 * RFC 7009 revocation as the provider's client authenticates at the token endpoint: the
 * provider's own client authentication (private_key_jwt) when it has one, else its secret by
 * Basic, else its id.
 */
async function revoke(endpoint, provider, token) {
  const client = provider.clientInformation();
  const body = new URLSearchParams({ token, token_type_hint: "refresh_token" });
  const headers = new Headers({ "Content-Type": "application/x-www-form-urlencoded" });
  if (provider.addClientAuthentication !== undefined) {
    await provider.addClientAuthentication(
      headers,
      body,
      endpoint,
      provider.discoveryState()?.authorizationServerMetadata,
    );
    body.set("client_id", client.client_id);
  } else if (client.client_secret !== undefined) {
    headers.set("Authorization", basic(client));
  } else {
    body.set("client_id", client.client_id);
  }
  const response = await fetch(endpoint, { method: "POST", headers, body: body.toString() });
  if (response.status !== 200) throw new Error(`revocation answered ${response.status}: ${await response.text()}`);
}

/** fetch, recording every token-endpoint request: grant type, status, error code. */
function recordingFetch(calls) {
  return async (input, init) => {
    const response = await fetch(input, init);
    const url = new URL(input instanceof Request ? input.url : input);
    if (url.origin === issuer && url.pathname === "/oauth2/token") {
      const grant = new URLSearchParams(String(init?.body ?? "")).get("grant_type");
      const call = { grant_type: grant, status: response.status };
      if (!response.ok) {
        const body = await response
          .clone()
          .json()
          .catch(() => ({}));
        Object.assign(call, { error: body.error, error_description: body.error_description });
      }
      calls.push(call);
    }
    return response;
  };
}

/** Runs one path with a deadline; resolves `{ok, line}`. */
async function runPath(name, body) {
  const t0 = performance.now();
  const served = mcp.requests.length;
  let current = "start";
  const step = (what) => (current = what);
  let timer;
  try {
    const summary = await Promise.race([
      body(step),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no result within ${PATH_TIMEOUT_MS / 1000} s`)), PATH_TIMEOUT_MS);
      }),
    ]);
    return { ok: true, line: `${name}: passed in ${seconds(t0)} s (${summary})` };
  } catch (error) {
    const refusal = mcp.requests
      .slice(served)
      .filter((r) => r.refusal !== undefined && r.refusal !== "no bearer token")
      .at(-1)?.refusal;
    const why = refusal === undefined ? "" : ` (the MCP server last refused a token: ${refusal})`;
    return { ok: false, line: `${name}: FAILED at "${current}": ${describe(error)}${why}` };
  } finally {
    clearTimeout(timer);
  }
}

function describe(error) {
  const name = error?.constructor?.name ?? "Error";
  const code = error?.errorCode ?? error?.code;
  return `${name}${code ? ` (${code})` : ""}: ${error?.message ?? error}`;
}

/** Serves Client ID Metadata Documents on 127.0.0.1 and counts who fetched them. */
async function startDocumentServer() {
  const published = new Map();
  const hits = new Map();
  const server = createServer((req, res) => {
    const path = new URL(req.url, "http://127.0.0.1").pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const document = published.get(path);
    if (req.method !== "GET" || document === undefined) return res.writeHead(404).end();
    res
      .writeHead(200, { "Content-Type": "application/json", "Cache-Control": "max-age=300" })
      .end(JSON.stringify(document));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    /** Publishes `make(url)` at `path`; returns the document's URL (the client_id). */
    async publish(path, make) {
      const url = origin + path;
      published.set(path, await make(url));
      return url;
    },
    fetches: (path) => hits.get(path) ?? 0,
    stop: () => new Promise((resolve) => server.close(resolve).closeAllConnections()),
  };
}

/** HTTP Basic credentials of a confidential client (RFC 6749 §2.3.1). */
function basic(client) {
  const pair = `${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`;
  return `Basic ${Buffer.from(pair).toString("base64")}`;
}

function user(subject) {
  return { subject, email: `${subject}@example.com`, name: "Ada Lovelace" };
}

function short(id) {
  return id.length > 60 ? `${id.slice(0, 57)}…` : id;
}

function seconds(t0) {
  return ((performance.now() - t0) / 1000).toFixed(1);
}
