// @cloudflare/workers-oauth-provider as one Worker (`OAuthProvider`), set up for the benchmark:
// PUT /bench/client registers a confidential client through the library's own helpers, and
// /authorize approves every request at once for the user named in `login_hint`, so that a load
// generator can run the real authorization code flow and then every operation the library has:
// refresh, revocation and token exchange at /oauth/token, dynamic registration at /register,
// and a call to the protected API at /api (the library checks the bearer token itself).
import { OAuthProvider } from "@cloudflare/workers-oauth-provider";

const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";

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
      // Registered for token exchange too, as the library checks a client's grant types; the
      // refresh and the code exchange do the same work either way.
      const client = await env.OAUTH_PROVIDER.createClient({
        redirectUris: [redirectUri],
        clientName: "bench",
        tokenEndpointAuthMethod: "client_secret_basic",
        grantTypes: ["authorization_code", "refresh_token", TOKEN_EXCHANGE_GRANT],
        responseTypes: ["code"],
      });
      return Response.json({ clientId: client.clientId, clientSecret: client.clientSecret });
    }
    return new Response("not found", { status: 404 });
  },
};

// What a resource server answers once the library has let the request through: the user the
// token was issued for, as a userinfo endpoint would.
const apiHandler = {
  fetch(_request, _env, ctx) {
    return Response.json({ sub: ctx.props.userId });
  },
};

// The API route accepts a token only when the request's origin is its resource's (the library
// compares them: RFC 8707 audience), and the port is picked when the server starts. So the
// provider is built on the first request from each origin, with that origin's resource. That
// trusts the Host header, which is fine for a benchmark and nothing else.
const providers = new Map();

function providerFor(origin) {
  let provider = providers.get(origin);
  if (provider === undefined) {
    provider = new OAuthProvider({
      apiRoute: "/api",
      apiHandler,
      defaultHandler,
      authorizeEndpoint: "/authorize",
      tokenEndpoint: "/oauth/token",
      clientRegistrationEndpoint: "/register",
      allowTokenExchangeGrant: true,
      scopesSupported: ["read", "offline_access"],
      resourceMetadata: { resource: `${origin}/api`, authorization_servers: [origin] },
    });
    providers.set(origin, provider);
  }
  return provider;
}

export default {
  fetch(request, env, ctx) {
    return providerFor(new URL(request.url).origin).fetch(request, env, ctx);
  },
};
