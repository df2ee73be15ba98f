// What every system under test shares: the refresh request as a client sends it, and the
// authorization code flow's redirects followed by hand.
import { mapBounded } from "../../scripts/map-bounded.mjs";
import { basicAuth, cookieHeader, form, keepCookies } from "../lib/http.mjs";

/** The redirect URI every benchmark client registers (nothing listens there; it is only read). */
export const REDIRECT_URI = "http://127.0.0.1:9/callback";

/** A refresh_token grant request with Basic client authentication. */
export function refreshRequest(path, clientId, clientSecret) {
  const authorization = basicAuth(clientId, clientSecret);
  return (token) => ({
    method: "POST",
    path,
    headers: { Authorization: authorization, "Content-Type": "application/x-www-form-urlencoded" },
    body: form({ grant_type: "refresh_token", refresh_token: token }),
  });
}

/** The refresh token of a successful JSON token response. */
export function refreshTokenOf(response) {
  try {
    return JSON.parse(response.body).refresh_token;
  } catch {
    return undefined;
  }
}

/** Exchanges an authorization code; resolves to the first refresh token. */
export async function redeemCode(client, path, clientId, clientSecret, code) {
  const response = await client.request("POST", path, {
    headers: { Authorization: basicAuth(clientId, clientSecret), "Content-Type": "application/x-www-form-urlencoded" },
    body: form({ grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI }),
  });
  const token = response.status === 200 ? refreshTokenOf(response) : undefined;
  if (token === undefined) throw new Error(`code exchange answered ${response.status}: ${response.body.slice(0, 300)}`);
  return token;
}

/**
 * Follows redirects from `path` (cookies kept) until one leads to the redirect URI; resolves to
 * the code it carries. At most 10 hops.
 */
export async function followToCode(client, path) {
  const jar = new Map();
  for (let hop = 0; hop < 10; hop++) {
    const response = await client.request("GET", path, { headers: jar.size ? { Cookie: cookieHeader(jar) } : {} });
    keepCookies(jar, response.headers);
    const location = response.headers.location;
    if (response.status < 300 || response.status >= 400 || !location) {
      throw new Error(`authorization step answered ${response.status}: ${response.body.slice(0, 300)}`);
    }
    if (location.startsWith(REDIRECT_URI)) {
      const code = new URL(location).searchParams.get("code");
      if (!code) throw new Error(`authorization ended without a code: ${location}`);
      return code;
    }
    const next = new URL(location, "http://127.0.0.1");
    path = next.pathname + next.search;
  }
  throw new Error("too many redirects in the authorization flow");
}

/** A JSON answer's body, or `{}` when it is not JSON. */
export function json(response) {
  try {
    return JSON.parse(response.body);
  } catch {
    return {};
  }
}

/**
 * A step that sends `build(ctx, state)` and keeps the chain's state (a token checked, not spent)
 * when `accept(response)` says the answer is right.
 */
export function keepState(build, accept = (response) => response.status === 200) {
  return async (client, ctx, state) => {
    const { method = "POST", path, headers, body } = await build(ctx, state);
    const response = await client.request(method, path, { headers, body });
    return accept(response) ? { state } : { error: `${response.status} ${response.body.slice(0, 160)}` };
  };
}

/** What an MCP client registers about itself (RFC 7591), the same for every system. */
const MCP_CLIENT_METADATA = JSON.stringify({
  client_name: "Benchmark MCP client",
  redirect_uris: [REDIRECT_URI],
  grant_types: ["authorization_code", "refresh_token"],
  response_types: ["code"],
  token_endpoint_auth_method: "client_secret_basic",
});

/**
 * The fields of a dynamic registration route: each operation registers an MCP client at `path`
 * (with `headers()` added to each request); a 201 with a client_secret is success (RFC 7591 §3.2.1).
 */
export function registration(path, headers = () => ({})) {
  return {
    openChain: () => null,
    step: keepState(
      () => ({ path, headers: { "Content-Type": "application/json", ...headers() }, body: MCP_CLIENT_METADATA }),
      (response) => response.status === 201 && json(response).client_secret !== undefined,
    ),
  };
}

/**
 * The fields of a budgeted revocation route: each chain opens `cell.budget` families with
 * `open(client, ctx)` before the window, and each operation revokes one of their refresh
 * tokens with the request `revoke(ctx, token)` builds; a 200 is success (RFC 7009 §2.2).
 */
export function revocationPool(open, revoke) {
  return {
    budgeted: true,
    openChain: async (client, ctx, _index, cell) => ({
      tokens: await mapBounded(Array.from({ length: cell.budget }), 8, () => open(client, ctx)),
      next: 0,
    }),
    step: (client, ctx, state) => keepState((c, s) => revoke(c, s.tokens[s.next++]))(client, ctx, state),
  };
}
