// node-oidc-provider for the benchmark: in-memory adapter, refresh token rotation on, ES256
// keys, and JWT access tokens (through resource indicators) so that a refresh signs two JWTs as
// Baton's does. Logins and consent are approved at once by the interaction route below, so that
// a load generator can run the real authorization code flow.
//   PORT, SIGNING_KEY (private ES256 JWK), CLIENT_ID, CLIENT_SECRET, REDIRECT_URI
import http from "node:http";
import Provider from "oidc-provider";

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const RESOURCE = "urn:bench:api";

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.CLIENT_ID,
      client_secret: process.env.CLIENT_SECRET,
      redirect_uris: [process.env.REDIRECT_URI],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
      id_token_signed_response_alg: "ES256",
    },
  ],
  jwks: { keys: [JSON.parse(process.env.SIGNING_KEY)] },
  cookies: { keys: ["bench-only-cookie-key"] },
  rotateRefreshToken: true,
  pkce: { required: () => false },
  features: {
    devInteractions: { enabled: false },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: "read",
        audience: RESOURCE,
        accessTokenTTL: 300,
        accessTokenFormat: "jwt",
        jwt: { sign: { alg: "ES256" } },
      }),
    },
  },
  ttl: {
    AccessToken: 300,
    IdToken: 3600,
    RefreshToken: 14 * 24 * 3600,
    Grant: 14 * 24 * 3600,
    Session: 14 * 24 * 3600,
    Interaction: 600,
  },
  findAccount: (_ctx, accountId) => ({ accountId, claims: () => ({ sub: accountId }) }),
});
provider.on("server_error", (_ctx, error) => console.error("server_error", error));

/** Approves the pending interaction: logs in `login_hint`, then grants everything asked. */
async function approve(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params } = details;
  let result;
  if (prompt.name === "login") {
    result = { login: { accountId: params.login_hint ?? "bench-user" } };
  } else {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: params.client_id });
    grant.addOIDCScope(
      params.scope
        .split(" ")
        .filter((s) => s !== "read")
        .join(" "),
    );
    grant.addResourceScope(RESOURCE, "read");
    result = { consent: { grantId: await grant.save() } };
  }
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
}

const callback = provider.callback();
http
  .createServer((req, res) => {
    if (req.url.startsWith("/interaction/")) {
      approve(req, res).catch((error) => {
        res.statusCode = 500;
        res.end(String(error));
      });
      return;
    }
    callback(req, res);
  })
  .listen(port, "127.0.0.1");
