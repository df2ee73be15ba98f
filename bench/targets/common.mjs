// What every system under test shares: the refresh request as a client sends it, and the
// authorization code flow's redirects followed by hand.
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
