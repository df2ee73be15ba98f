// @cloudflare/workers-oauth-provider as one Worker (`OAuthProvider`), set up for the benchmark:
// PUT /bench/client registers a confidential client through the library's own helpers, and
// /authorize approves every request at once for the user named in `login_hint`, so that a load
// generator can run the real authorization code flow and then refresh.
import { OAuthProvider } from "@cloudflare/workers-oauth-provider";

const RESOURCE = "http://127.0.0.1/api";

const defaultHandler = {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/authorize") {
      const oauthRequest = await env.OAUTH_PROVIDER.parseAuthRequest(request);
      const userId = url.searchParams.get("login_hint") ?? "bench-user";
      const { redirectTo } = await env.OAUTH_PROVIDER.completeAuthorization({
        request: oauthRequest,
        userId,
        metadata: {},
        scope: oauthRequest.scope,
        props: { userId },
      });
      return Response.redirect(redirectTo, 302);
    }
    if (request.method === "PUT" && url.pathname === "/bench/client") {
      const { redirectUri } = await request.json();
      const client = await env.OAUTH_PROVIDER.createClient({
        redirectUris: [redirectUri],
        clientName: "bench",
        tokenEndpointAuthMethod: "client_secret_basic",
        grantTypes: ["authorization_code", "refresh_token"],
        responseTypes: ["code"],
      });
      return Response.json({ clientId: client.clientId, clientSecret: client.clientSecret });
    }
    return new Response("not found", { status: 404 });
  },
};

const apiHandler = {
  fetch(_request, _env, ctx) {
    return Response.json({ userId: ctx.props.userId });
  },
};

export default new OAuthProvider({
  apiRoute: "/api",
  apiHandler,
  defaultHandler,
  authorizeEndpoint: "/authorize",
  tokenEndpoint: "/oauth/token",
  scopesSupported: ["read", "offline_access"],
  resourceMetadata: { resource: RESOURCE, authorization_servers: ["http://127.0.0.1"] },
});
