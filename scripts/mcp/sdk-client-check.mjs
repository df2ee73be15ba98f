#!/usr/bin/env node
// `npm run test:mcp`: the MCP TypeScript SDK's own OAuth client against a real, isolated
// `wrangler dev`, guarding a small MCP server (./resource-server.mjs), as an MCP client would
// meet Baton in the field. Four ways for a client with a user to be known to Baton
// (./sdk-client/user-paths.mjs):
//
//   (a) dynamic client registration (RFC 7591), done by the SDK's `auth()`;
//   (b) a Client ID Metadata Document served on 127.0.0.1 (its URL is the client_id);
//   (c) a metadata document with a public key: the client authenticates by private_key_jwt,
//       with the assertions of the SDK's createPrivateKeyJwtAuth;
//   (d) a client registered beforehand through the admin API (confidential).
//
// and, without a user (./sdk-client/machine-paths.mjs):
//
//   (e) the SDK's PrivateKeyJwtProvider: client_credentials, authenticated by private_key_jwt;
//   (f) a token Baton issued for another resource, which the MCP server must refuse.
//
// Each path: the SDK's 401 → protected resource metadata → authorization server metadata →
// (registration) → authorization request with PKCE and `resource` → the development login,
// driven over HTTP like a browser → code exchange → a `whoami` tool call as the signed-in user;
// two refreshes forced through `auth()`, each followed by a tool call; revocation of the refresh
// token at /oauth2/revoke; then a tool call that the server refuses with 401, after which the
// SDK's refresh is refused too and it asks for a new sign-in (./sdk-client/user-flow.mjs). Path
// (e) has no refresh token and no family to revoke: there, deleting the client ends its tokens,
// and the SDK's next token request is invalid_client.
//
// This file sets up Baton, the MCP server and the metadata documents, runs the paths one after
// another and reports. Prints one line per path; exits 1 if any fails. Only 127.0.0.1 is
// addressed.
import { performance } from "node:perf_hooks";
import { adminJsonApi } from "../cli/admin-api.mjs";
import { freePort, startDevServer } from "../dev-server.mjs";
import { MCP_SCOPE, startResourceServer } from "./resource-server.mjs";
import { startDocumentServer } from "./sdk-client/document-server.mjs";
import { MACHINE_PATHS } from "./sdk-client/machine-paths.mjs";
import { runPath, seconds } from "./sdk-client/run-path.mjs";
import { USER_PATHS } from "./sdk-client/user-paths.mjs";

const TOTAL_TIMEOUT_MS = 40_000;
const started = performance.now();

// Baton must list the MCP server's resource before it starts, so its port is chosen first.
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
// However many paths hang, CI waits at most this long, and still sees the paths that finished.
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

  const context = { issuer, admin, mcp, documents, introspectionClient, otherResource };
  for (const path of [...USER_PATHS, ...MACHINE_PATHS]) {
    results.push(await runPath(mcp, path.name, (step) => path.run(context, step)));
  }
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
    `${seconds(started)} s`,
);
process.exit(failed === 0 ? 0 : 1);
