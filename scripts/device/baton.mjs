// What every part of the device check shares about the Baton under test: the grant and token
// type names, the metadata from discovery, the admin API, the public device client all parts sign
// in with, a raw form POST for what the client libraries will not send, and the two ways answers
// are read (an ID token verified against the JWKS, a refusal's error code).
import { createRemoteJWKSet, jwtVerify } from "jose";
import * as oauth from "oauth4webapi";
import { adminJsonApi } from "../cli/admin-api.mjs";

export const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
export const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
export const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
export const SCOPE = "openid email offline_access";
/** RFC 8628 §6.1's alphabet: twenty consonants, no vowels, so that no code spells a word. */
export const USER_CODE = /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/;

// Plain http is fine on 127.0.0.1; both libraries insist on being told so.
export const insecure = { [oauth.allowInsecureRequests]: true };
/** oauth4webapi's client authentication for a public client. */
export const none = oauth.None();

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The error of a token endpoint refusal as oauth4webapi reports it. */
export async function refusal(promise) {
  try {
    await promise;
    return "no error";
  } catch (error) {
    if (error instanceof oauth.ResponseBodyError) return error.error;
    throw error;
  }
}

/**
 * Discovers `server` and registers the device client through the admin API.
 * @returns {Promise<{ base, issuer, as, jwks, admin, publicClient, post, checkIdToken }>}
 */
export async function connect(server) {
  const base = server.url;
  const issuer = new URL(base);
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
  const jwks = createRemoteJWKSet(new URL(as.jwks_uri));
  const admin = adminJsonApi(server);

  /** A raw form POST; resolves `{status, body}` with the body parsed. */
  async function post(path, fields) {
    const response = await fetch(base + path, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields),
    });
    const text = await response.text();
    return { status: response.status, body: text === "" ? undefined : JSON.parse(text) };
  }

  /** Verifies an ID token's signature with Baton's JWKS, and what it says. */
  async function checkIdToken(p, idToken, { clientId, subject }) {
    const { payload, protectedHeader } = await jwtVerify(idToken, jwks, { issuer: as.issuer, audience: clientId });
    p.check(
      payload.sub === subject &&
        payload.email === `${subject}@example.com` &&
        typeof payload.auth_time === "number" &&
        typeof payload.sid === "string" &&
        // A device flow has no authorization request to carry a nonce.
        payload.nonce === undefined,
      `ID token verified with the JWKS (${protectedHeader.alg}): iss, aud = the client, sub ${payload.sub}, email, auth_time, sid, no nonce`,
      JSON.stringify(payload),
    );
    return payload;
  }

  const deviceClient = await admin("POST", "/admin/clients", {
    client_name: "Device check TV",
    grant_types: [DEVICE_CODE_GRANT, "refresh_token"],
    token_endpoint_auth_method: "none",
    scope: SCOPE,
  });
  const publicClient = { client_id: deviceClient.client_id };

  return { base, issuer, as, jwks, admin, publicClient, post, checkIdToken };
}
