// The MCP SDK check's paths without a user:
//
//   (e) the SDK's PrivateKeyJwtProvider: client_credentials, authenticated by private_key_jwt.
//       There is no refresh token and no family: revoking the token (oauth4webapi, as the
//       client) must end that token alone, so the SDK's next call gets a new one and works;
//       deleting the client must end its tokens, and the SDK's next token request must be
//       invalid_client;
//   (f) a token Baton issued for another resource, which the MCP server must refuse (RFC 8707):
//       a token is good for the one resource it names, however valid it is otherwise.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { PrivateKeyJwtProvider } from "@modelcontextprotocol/sdk/client/auth-extensions.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { exportJWK, generateKeyPair } from "jose";
import * as oauth from "oauth4webapi";
import { MCP_SCOPE } from "../resource-server.mjs";
import { basic, recordingFetch, short, whoami } from "./helpers.mjs";

/** `{name, run(context, step)}` for ../sdk-client-check.mjs, in the order they run. */
export const MACHINE_PATHS = [
  {
    name: "(e) machine to machine, private_key_jwt",
    async run(context, step) {
      const { issuer, admin } = context;
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
      // The client revokes its own token as RFC 7009 has it, authenticated by its key.
      const revoke = async (token) => {
        const insecure = { [oauth.allowInsecureRequests]: true };
        const url = new URL(issuer);
        const as = await oauth.processDiscoveryResponse(url, await oauth.discoveryRequest(url, insecure));
        const auth = oauth.PrivateKeyJwt({ key: privateKey, kid: "agent-1" });
        const client = { client_id: registered.client_id };
        await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, auth, token, insecure));
      };
      return exerciseMachine(context, provider, registered.client_id, step, revoke);
    },
  },
  {
    name: "(f) a token for another resource",
    async run({ issuer, mcp, introspectionClient, otherResource }, step) {
      step("client_credentials with resource = the other server");
      // Any confidential client with the scope will do; the MCP server's introspection client is at hand.
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
      // A fixed header and no auth provider: the SDK cannot fetch another token, so the server's
      // 401 comes back as the error.
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
      // Refused for its audience, not for some other fault of the token.
      const refusal = mcp.requests.slice(served).find((r) => r.status === 401)?.refusal ?? "";
      if (!refusal.includes('"aud"')) throw new Error(`refused, but not for its audience: ${refusal}`);
      return `aud ${otherResource} refused with 401`;
    },
  },
];

/**
 * A client without a user: the SDK gets a token by itself on the first 401, the tool call works;
 * once the client is deleted its token is refused, and so is its next token request.
 */
async function exerciseMachine({ issuer, admin, mcp }, provider, clientId, step, revoke) {
  const tokenCalls = [];
  const fetchFn = recordingFetch(issuer, tokenCalls);
  step("connect: 401, discovery, client_credentials");
  const client = new Client({ name: "baton-e2e-agent", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(mcp.url), { authProvider: provider, fetch: fetchFn }));
  const grant = tokenCalls.at(-1);
  if (grant?.grant_type !== "client_credentials" || grant.status !== 200) {
    throw new Error(`the token request was ${JSON.stringify(grant)}`);
  }

  step("tool call");
  const me = await whoami(client);
  if (me.client_id !== clientId) throw new Error(`whoami says client ${me.client_id}, not ${clientId}`);

  step("revoke that token, then a tool call: 401, a new token, and it works");
  const revoked = (await provider.tokens())?.access_token;
  await revoke(revoked);
  const servedAtRevocation = mcp.requests.length;
  const again = await whoami(client);
  if (again.client_id !== clientId) throw new Error(`whoami says client ${again.client_id}, not ${clientId}`);
  if (!mcp.requests.slice(servedAtRevocation).some((r) => r.status === 401))
    throw new Error("the MCP server still accepted the revoked token");
  const renewed = (await provider.tokens())?.access_token;
  if (renewed === undefined || renewed === revoked) throw new Error("the SDK did not get a new token");

  step("delete the client, then a tool call");
  await admin("DELETE", `/admin/clients/${encodeURIComponent(clientId)}`);
  const servedBefore = mcp.requests.length;
  try {
    // callTool, not whoami(): any answer at all, even a tool error, means the deleted client got in.
    await client.callTool({ name: "whoami" });
    throw new Error("the tool call still succeeded after the client was deleted");
  } catch (error) {
    // The 401 makes the SDK ask for a new token, and that request is what fails.
    if (error?.errorCode !== "invalid_client") throw error;
  }
  if (!mcp.requests.slice(servedBefore).some((r) => r.status === 401))
    throw new Error("the MCP server did not answer 401");
  await client.close();
  return `client ${short(clientId)}, sub ${me.sub}, aud ${me.aud}, revoked → 401 and a new token, deleted → 401, token request invalid_client`;
}
