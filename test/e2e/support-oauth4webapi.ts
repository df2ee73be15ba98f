/**
 * What the oauth4webapi tests share: the library's requests sent to the Worker's own fetch
 * handler, Baton as the library discovers it before each file's tests, a registered client as the
 * library sees it, and the access token checked as a resource server would (RFC 9068).
 */
import { exports } from "cloudflare:workers";
import * as oauth from "oauth4webapi";
import { beforeAll } from "vitest";
import { registerClient, type TestClient } from "../support/clients";
import { clientKey } from "../support/client-keys";
import { BASE } from "../support/worker";

const ISSUER = new URL(BASE);

/** Every request the library makes goes to the Worker's own fetch handler. */
export const viaWorker = {
  [oauth.customFetch]: (url: string, init: oauth.CustomFetchOptions<string, unknown>) =>
    exports.default.fetch(new Request(url, init as RequestInit)),
};

/** The authorization server as the library discovered it; set by {@link discoverBeforeAll}. */
export let as: oauth.AuthorizationServer;

/** Runs the library's discovery against Baton before the calling file's tests. */
export function discoverBeforeAll(): void {
  beforeAll(async () => {
    as = await oauth.processDiscoveryResponse(ISSUER, await oauth.discoveryRequest(ISSUER, viaWorker));
  });
}

/** A registered client as the library sees it, with the way it authenticates. */
interface LibraryClient {
  registered: TestClient;
  client: oauth.Client;
  auth: oauth.ClientAuth;
}

type Method = "client_secret_basic" | "client_secret_post" | "none" | "private_key_jwt";

export async function libraryClient(method: Method, metadata: Record<string, unknown> = {}): Promise<LibraryClient> {
  if (method === "private_key_jwt") {
    const key = await clientKey("ES256");
    const registered = await registerClient({
      token_endpoint_auth_method: method,
      jwks: { keys: [key.publicJwk] },
      ...metadata,
    });
    const client = { client_id: registered.client_id, token_endpoint_auth_method: method };
    return { registered, client, auth: oauth.PrivateKeyJwt({ key: key.privateKey, kid: key.kid }) };
  }
  const registered = await registerClient({ token_endpoint_auth_method: method, ...metadata });
  const auth =
    method === "client_secret_basic"
      ? oauth.ClientSecretBasic(registered.client_secret!)
      : method === "client_secret_post"
        ? oauth.ClientSecretPost(registered.client_secret!)
        : oauth.None();
  return { registered, client: { client_id: registered.client_id, token_endpoint_auth_method: method }, auth };
}

/** The access token as a resource server checks it (RFC 9068), with the client as audience. */
export function validateAccessToken(accessToken: string, audience: string) {
  const request = new Request("https://api.example/things", { headers: { Authorization: `Bearer ${accessToken}` } });
  return oauth.validateJwtAccessToken(as, request, audience, viaWorker);
}
