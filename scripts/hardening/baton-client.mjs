// What the hardening checks do to a running Baton over HTTP: register a client through the admin
// API, open token families through the authorization code flow (PKCE, the admin login hand-off),
// and refresh. Only 127.0.0.1 is ever addressed.
import { createHash, randomBytes } from "node:crypto";
import { adminJsonApi } from "../cli/admin-api.mjs";

/** The redirect URI every client registered here uses (loopback; nothing listens there). */
export const REDIRECT_URI = "http://127.0.0.1:9/callback";

/** A Baton instance as the checks talk to it. */
export function batonClient(server) {
  const base = server.url;
  if (new URL(base).hostname !== "127.0.0.1") throw new Error(`refusing to load ${base}: only 127.0.0.1`);

  const admin = adminJsonApi(server);

  /** POSTs a form to `path` with Basic credentials; resolves `{status, text}`. */
  async function clientPost(path, client, fields) {
    const response = await fetch(base + path, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: basicAuth(client) },
      body: new URLSearchParams(fields).toString(),
    });
    return { status: response.status, text: await response.text() };
  }

  const tokenRequest = (client, fields) => clientPost("/oauth2/token", client, fields);

  return {
    /** Registers a confidential web client for the code and refresh grants. */
    registerClient() {
      return admin("POST", "/admin/clients", {
        client_name: "Hardening check",
        redirect_uris: [REDIRECT_URI],
        grant_types: ["authorization_code", "refresh_token"],
        token_endpoint_auth_method: "client_secret_basic",
        scope: "openid email offline_access",
      });
    },

    /**
     * Opens one family the way a real client and host application do; resolves with its sid and
     * first token response.
     */
    async openFamily(client, subject) {
      const verifier = randomBytes(32).toString("base64url");
      const query = new URLSearchParams({
        response_type: "code",
        client_id: client.client_id,
        redirect_uri: REDIRECT_URI,
        scope: "openid email offline_access",
        state: randomBytes(8).toString("base64url"),
        nonce: randomBytes(8).toString("base64url"),
        code_challenge: createHash("sha256").update(verifier).digest("base64url"),
        code_challenge_method: "S256",
      });
      const toLogin = await fetch(`${base}/oauth2/authorize?${query}`, { redirect: "manual" });
      await toLogin.arrayBuffer();
      const location = toLogin.headers.get("Location");
      if (toLogin.status !== 302 || location === null) throw new Error(`authorize answered ${toLogin.status}`);
      const id = new URL(location, base).searchParams.get("authorization_request");
      if (id === null) throw new Error(`authorize did not hand off to a login page: ${location}`);
      const { redirect_to: redirectTo } = await admin("POST", `/admin/authorizations/${id}/complete`, {
        subject,
        claims: { email: `${subject}@example.com`, email_verified: true },
      });
      const code = new URL(redirectTo).searchParams.get("code");
      const answer = await tokenRequest(client, {
        grant_type: "authorization_code",
        code,
        redirect_uri: REDIRECT_URI,
        code_verifier: verifier,
      });
      if (answer.status !== 200) throw new Error(`code redemption answered ${answer.status} ${answer.text}`);
      const tokens = JSON.parse(answer.text);
      // The grant's sid is in every access token it issues.
      const { sid } = JSON.parse(Buffer.from(tokens.access_token.split(".")[1], "base64url").toString("utf8"));
      return { sid, tokens };
    },

    /** One refresh_token grant request; resolves `{status, text}` or rejects on a network error. */
    refresh(client, refreshToken) {
      return tokenRequest(client, { grant_type: "refresh_token", refresh_token: refreshToken });
    },

    /**
     * Whether `token` is live for `client` (RFC 7662). Introspecting a retired refresh token
     * never counts as its reuse, so this looks without touching.
     */
    async isActive(client, token) {
      const answer = await clientPost("/oauth2/introspection", client, { token });
      if (answer.status !== 200) throw new Error(`introspection answered ${answer.status} ${answer.text}`);
      return JSON.parse(answer.text).active === true;
    },
  };
}

/** `Basic` credentials (RFC 6749 §2.3.1 form-encodes both halves first). */
function basicAuth(client) {
  const encode = (text) => encodeURIComponent(text).replace(/%20/g, "+");
  return `Basic ${Buffer.from(`${encode(client.client_id)}:${encode(client.client_secret)}`).toString("base64")}`;
}

/** The generation a refresh token carries: `rt_` + base64url(sid32 ‖ generation4 ‖ MAC32). */
export function generationOf(refreshToken) {
  return Buffer.from(refreshToken.slice(3), "base64url").readUInt32BE(32);
}

/** The `iat` of a JWT, read without verification (the checks only classify answers by time). */
export function issuedAt(jwt) {
  return JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString("utf8")).iat;
}

/** Whether an answer is the RFC 6749 §5.2 `invalid_grant` error. */
export function isInvalidGrant(answer) {
  if (answer.status !== 400) return false;
  try {
    return JSON.parse(answer.text).error === "invalid_grant";
  } catch {
    return false;
  }
}
