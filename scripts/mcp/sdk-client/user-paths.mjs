// The four ways an MCP client with a user can be known to Baton, each lived through by the MCP
// SDK from first 401 to revocation (./user-flow.mjs):
//
//   (a) dynamic client registration (RFC 7591), done by the SDK's `auth()`;
//   (b) a Client ID Metadata Document served on 127.0.0.1 (its URL is the client_id);
//   (c) a metadata document with a public key: the client authenticates by private_key_jwt,
//       with the assertions of the SDK's createPrivateKeyJwtAuth;
//   (d) a client registered beforehand through the admin API (confidential).
//
// Each user signs in under a subject of its own, so that `whoami` tells the paths apart.
import { createPrivateKeyJwtAuth } from "@modelcontextprotocol/sdk/client/auth-extensions.js";
import { exportJWK, generateKeyPair } from "jose";
import { freePort } from "../../dev-server.mjs";
import { DevLoginProvider } from "../provider.mjs";
import { MCP_SCOPE } from "../resource-server.mjs";
import { exercise } from "./user-flow.mjs";

// Every client here signs a user in and keeps the login going by refreshing.
const SIGN_IN_GRANTS = ["authorization_code", "refresh_token"];

/** `{name, run(context, step)}` for ../sdk-client-check.mjs, in the order they run. */
export const USER_PATHS = [
  {
    name: "(a) dynamic registration",
    async run(context, step) {
      const redirectUrl = `http://127.0.0.1:${await freePort()}/callback`;
      const provider = new DevLoginProvider({
        redirectUrl,
        issuer: context.issuer,
        user: user("user_mcp_dcr"),
        clientMetadata: {
          client_name: "Baton e2e MCP client (registered dynamically)",
          redirect_uris: [redirectUrl],
          grant_types: SIGN_IN_GRANTS,
          response_types: ["code"],
          token_endpoint_auth_method: "none",
        },
      });
      return exercise(context, provider, step);
    },
  },
  {
    name: "(b) client ID metadata document",
    async run(context, step) {
      const { issuer, documents } = context;
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
        grant_types: SIGN_IN_GRANTS,
        response_types: ["code"],
        token_endpoint_auth_method: "none",
      }));
      // The SDK (1.32) uses `clientMetadataUrl` as the client_id only when it is https; the
      // document here is served on http://127.0.0.1 (CLIENT_METADATA_ALLOW_LOOPBACK), so the
      // client information the SDK would have saved is handed to it directly.
      const provider = documentProvider(issuer, { port, clientId, subject: "user_mcp_cimd" });
      const outcome = await exercise(context, provider, step);
      const fetched = documents.fetches("/mcp-client.json");
      if (fetched === 0) throw new Error("Baton never fetched the metadata document");
      return `${outcome}, document fetched ${fetched}×`;
    },
  },
  {
    name: "(c) metadata document with a key (private_key_jwt)",
    async run(context, step) {
      const { issuer, documents } = context;
      const port = await freePort();
      const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
      const clientId = await documents.publish("/mcp-client-keyed.json", async (id) => ({
        client_id: id,
        client_name: "Baton e2e MCP client (metadata document with a key)",
        redirect_uris: ["http://127.0.0.1/callback"],
        grant_types: SIGN_IN_GRANTS,
        response_types: ["code"],
        token_endpoint_auth_method: "private_key_jwt",
        jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: "client-1", alg: "ES256", use: "sig" }] },
      }));
      const provider = documentProvider(issuer, { port, clientId, subject: "user_mcp_cimd_keyed" });
      // The SDK's own private_key_jwt assertion, for every token request (and for revocation).
      provider.addClientAuthentication = createPrivateKeyJwtAuth({
        issuer: clientId,
        subject: clientId,
        privateKey: await exportJWK(privateKey),
        alg: "ES256",
      });
      return exercise(context, provider, step);
    },
  },
  {
    name: "(d) pre-registered client",
    async run(context, step) {
      const { issuer, admin } = context;
      const redirectUrl = `http://127.0.0.1:${await freePort()}/callback`;
      step("register the client through the admin API");
      const registered = await admin("POST", "/admin/clients", {
        client_name: "Baton e2e MCP client (pre-registered)",
        redirect_uris: [redirectUrl],
        grant_types: SIGN_IN_GRANTS,
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
      return exercise(context, provider, step);
    },
  },
];

/**
 * A provider for the client a metadata document at `clientId` describes, redirected to
 * `port` on 127.0.0.1. It is given its client information, so `clientMetadata` is never sent.
 */
function documentProvider(issuer, { port, clientId, subject }) {
  return new DevLoginProvider({
    redirectUrl: `http://127.0.0.1:${port}/callback`,
    issuer,
    user: user(subject),
    clientInformation: { client_id: clientId },
    clientMetadata: { client_name: "unused", redirect_uris: [`http://127.0.0.1:${port}/callback`] },
  });
}

function user(subject) {
  return { subject, email: `${subject}@example.com`, name: "Ada Lovelace" };
}
