// The life of one MCP client with a user, as the MCP SDK lives it against Baton, whichever way
// the client is known (./user-paths.mjs): the SDK's 401 → protected resource metadata →
// authorization server metadata → (registration) → authorization request with PKCE and
// `resource` → the development login → code exchange → a `whoami` tool call as the signed-in
// user; two refreshes forced through `auth()`, each followed by a tool call; revocation of the
// refresh token at /oauth2/revoke; then a tool call the server refuses with 401, after which the
// SDK's refresh is refused too and it asks for a new sign-in. That last part is the point: a
// revoked login must stop working at once, not when its access token expires.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { UnauthorizedError, auth } from "@modelcontextprotocol/sdk/client/auth.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { basic, recordingFetch, short, whoami } from "./helpers.mjs";

/**
 * One path from the first 401 to the refused call after revocation, for the SDK `provider` (a
 * DevLoginProvider); resolves with a summary. `step(name)` names what is being done, for the
 * failure line.
 */
export async function exercise({ issuer, mcp }, provider, step) {
  const tokenCalls = [];
  const fetchFn = recordingFetch(issuer, tokenCalls);
  const serverUrl = new URL(mcp.url);
  const connect = async () => {
    const client = new Client({ name: "baton-e2e", version: "1.0.0" });
    const transport = new StreamableHTTPClientTransport(serverUrl, { authProvider: provider, fetch: fetchFn });
    await client.connect(transport);
    return { client, transport };
  };

  step("connect: 401, discovery, registration, sign-in");
  // The SDK signs in on the first 401 and then stops, UnauthorizedError, until finishAuth.
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

  // Two: the second shows that a refresh token from a refresh (rotated) refreshes in turn.
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
  // The SDK's answer to a refused refresh is a new sign-in: counted, not carried out.
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
 * RFC 7009 revocation as the provider's client authenticates at the token endpoint: the
 * provider's own client authentication (private_key_jwt) when it has one, else its secret by
 * Basic, else its id. The SDK's client offers no revocation call.
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
