// A small MCP server that trusts Baton, as a real one would: the MCP SDK's Streamable HTTP
// transport (stateless) behind a bearer-token check, one tool (`whoami`), and RFC 9728 protected
// resource metadata naming Baton as its authorization server.
//
// An access token is accepted when it verifies against Baton's published keys (jose, the JWKS
// from discovery) with header `typ: at+jwt`, `iss` exactly Baton's issuer, `aud` exactly this
// server's resource URI (RFC 8707: a token for another resource is refused), unexpired, with the
// `mcp:tools` scope; and when Baton's introspection says it is still active, so that a revoked
// login stops working at once rather than when its access token expires. For introspection the
// server is a confidential client of its own.
//
// Without a token, or with a bad one, the answer is 401 with
// `WWW-Authenticate: Bearer resource_metadata="..."` (RFC 9728 §5.1); a token without the scope is
// 403 `insufficient_scope`. Listens on 127.0.0.1 only.
import { createServer } from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { createRemoteJWKSet, jwtVerify } from "jose";

export const MCP_SCOPE = "mcp:tools";

/**
 * Starts the server on `port` (0: any free one). `issuer` is Baton's; `introspectionClient` is
 * `{client_id, client_secret}` of a confidential client registered there.
 * @returns {{ url, resource, metadataUrl, requests, stop }} `url` is the MCP endpoint and equals
 *   `resource`; `requests` lists `{method, path, status, refusal}` for every request served
 *   (`refusal`: why a token was refused).
 */
export async function startResourceServer({ port = 0, issuer, introspectionClient }) {
  const requests = [];
  let baton;
  const batonMetadata = async () => (baton ??= discover(issuer));

  const http = createServer((req, res) => {
    res.on("finish", () =>
      requests.push({ method: req.method, path: req.url, status: res.statusCode, refusal: req.refusal }),
    );
    handle(req, res).catch((error) => {
      console.error(`mcp server: ${error?.stack ?? error}`);
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" }).end("internal error");
      else res.end();
    });
  });
  await new Promise((resolve, reject) => {
    http.once("error", reject);
    http.listen(port, "127.0.0.1", resolve);
  });
  const origin = `http://127.0.0.1:${http.address().port}`;
  const resource = `${origin}/mcp`;
  // RFC 9728 §3.1: the well-known suffix goes between the host and the resource's path.
  const metadataUrl = `${origin}/.well-known/oauth-protected-resource/mcp`;
  const protectedResourceMetadata = {
    resource,
    authorization_servers: [issuer],
    scopes_supported: [MCP_SCOPE],
    bearer_methods_supported: ["header"],
    resource_name: "Baton e2e MCP server",
  };

  async function handle(req, res) {
    const path = new URL(req.url, origin).pathname;
    if (path === "/.well-known/oauth-protected-resource" || path === "/.well-known/oauth-protected-resource/mcp") {
      if (req.method !== "GET") return send(res, 405, { Allow: "GET" });
      return sendJson(res, 200, protectedResourceMetadata);
    }
    if (path !== "/mcp") return send(res, 404);

    const verdict = await authenticate(req.headers.authorization);
    if (!verdict.ok) {
      req.refusal = verdict.description ?? "no bearer token";
      const challenge = [
        ...(verdict.error
          ? [`error="${verdict.error}"`, `error_description="${verdict.description.replace(/["\\]/g, "'")}"`]
          : []),
        ...(verdict.error === "insufficient_scope" ? [`scope="${MCP_SCOPE}"`] : []),
        `resource_metadata="${metadataUrl}"`,
      ].join(", ");
      return send(res, verdict.status, { "WWW-Authenticate": `Bearer ${challenge}` });
    }
    req.auth = verdict.auth;

    // Stateless: a fresh server and transport for every request.
    const mcp = new McpServer({ name: "baton-e2e-mcp", version: "1.0.0" });
    mcp.registerTool(
      "whoami",
      { description: "Who the access token speaks for: its sub, client and scope." },
      async ({ authInfo }) => {
        const who = {
          sub: authInfo.extra.sub,
          client_id: authInfo.clientId,
          scope: authInfo.scopes.join(" "),
          aud: authInfo.extra.aud,
        };
        return { content: [{ type: "text", text: JSON.stringify(who) }], structuredContent: who };
      },
    );
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on("close", () => {
      transport.close();
      mcp.close();
    });
    await mcp.connect(transport);
    await transport.handleRequest(req, res);
  }

  async function authenticate(header) {
    const token = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/.exec(header ?? "")?.[1];
    if (token === undefined) return { ok: false, status: 401 };
    const refuse = (description, error = "invalid_token", status = 401) => ({ ok: false, status, error, description });
    const as = await batonMetadata();
    let payload;
    try {
      ({ payload } = await jwtVerify(token, as.jwks, {
        issuer,
        audience: resource,
        typ: "at+jwt",
        requiredClaims: ["exp", "iat", "sub", "client_id"],
        clockTolerance: 5,
      }));
    } catch (error) {
      const claim =
        error.claim === undefined ? "" : ` (${error.claim} is ${JSON.stringify(error.payload?.[error.claim])})`;
      return refuse(`The access token is not valid here: ${error.message}${claim}`);
    }
    // One audience, this server: a token also good elsewhere is not accepted as "for us".
    if (payload.aud !== resource) return refuse("The access token is not for this resource alone.");
    const scopes = typeof payload.scope === "string" ? payload.scope.split(" ").filter(Boolean) : [];
    if (!scopes.includes(MCP_SCOPE)) return refuse(`The ${MCP_SCOPE} scope is required.`, "insufficient_scope", 403);
    const introspection = await fetch(as.introspection_endpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Authorization: `Basic ${Buffer.from(
          `${encodeURIComponent(introspectionClient.client_id)}:${encodeURIComponent(introspectionClient.client_secret)}`,
        ).toString("base64")}`,
      },
      body: new URLSearchParams({ token }).toString(),
    });
    if (introspection.status !== 200) throw new Error(`introspection answered ${introspection.status}`);
    const state = await introspection.json();
    if (state.active !== true) return refuse("The access token was revoked.");
    return {
      ok: true,
      auth: {
        token,
        clientId: payload.client_id,
        scopes,
        expiresAt: payload.exp,
        resource: new URL(resource),
        extra: { sub: payload.sub, sid: payload.sid, aud: payload.aud },
      },
    };
  }

  return {
    url: resource,
    resource,
    metadataUrl,
    requests,
    stop: () => new Promise((resolve) => http.close(resolve).closeAllConnections()),
  };
}

/** Baton's metadata, from RFC 8414 discovery, with its issuer checked (RFC 8414 §3.3). */
async function discover(issuer) {
  const response = await fetch(`${issuer}/.well-known/oauth-authorization-server`);
  if (response.status !== 200) throw new Error(`discovery answered ${response.status}`);
  const metadata = await response.json();
  if (metadata.issuer !== issuer) throw new Error(`discovery's issuer ${metadata.issuer} is not ${issuer}`);
  return { ...metadata, jwks: createRemoteJWKSet(new URL(metadata.jwks_uri)) };
}

function send(res, status, headers = {}) {
  res.writeHead(status, { "Cache-Control": "no-store", ...headers }).end();
}

function sendJson(res, status, body) {
  res.writeHead(status, { "Content-Type": "application/json", "Cache-Control": "no-store" }).end(JSON.stringify(body));
}
