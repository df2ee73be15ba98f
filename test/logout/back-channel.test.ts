/**
 * Back-channel logout: whenever someone ends a grant (RP-initiated logout, RFC 7009 revocation,
 * the admin API, a reused refresh token or code), the grant's client receives a logout token at
 * its registered `backchannel_logout_uri`, from Baton itself, over the network, to a real
 * receiver in Node. The token is checked as a client would check it, against Baton's JWKS.
 *
 * @see OpenID Connect Back-Channel Logout 1.0 §2.4 (logout token), §2.5 (request), §2.6
 */
import { decodeJwt, decodeProtectedHeader } from "jose";
import { describe, expect, it } from "vitest";
import { BACKCHANNEL_LOGOUT_EVENT } from "../../src/tokens/logout-token";
import { receivedAt, receiverUri, logoutTokenOf, verifyLogoutToken, waitForRequests } from "../support/back-channel";
import { registerClient, type TestClient } from "../support/clients";
import { aliceLogin, issueCode, jwtPayload, redeem, runCodeFlow } from "../support/code-flow";
import { ageFamily } from "../support/families";
import { refresh } from "../support/token-requests";
import { admin, BASE } from "../support/worker";
import { configuredKeys } from "../userinfo/test-tokens";
import { expectRevocationAnswer, revoke } from "../revocation/endpoint-requests";
import { expectRedirect, logoutGet, POST_LOGOUT_URI, signIn } from "./logout-support";

/** A client that registered a back-channel logout URI of its own. */
async function notifiedClient(behaviour: Parameters<typeof receiverUri>[0] = "ok", metadata = {}) {
  const uri = receiverUri(behaviour);
  const client = await registerClient({
    backchannel_logout_uri: uri,
    backchannel_logout_session_required: true,
    post_logout_redirect_uris: [POST_LOGOUT_URI],
    ...metadata,
  });
  return { client, uri };
}

/** Waits for the one notice at `uri` and returns its verified claims. */
async function oneNotice(uri: string, client: TestClient) {
  const [request] = await waitForRequests(uri, 1);
  const { payload } = await verifyLogoutToken(logoutTokenOf(request!), client.client_id);
  return payload;
}

describe("back-channel logout: the logout token", () => {
  it("is POSTed after RP-initiated logout, verifiable with Baton's JWKS, with exactly the claims of §2.4", async () => {
    const { client, uri } = await notifiedClient();
    const session = await signIn(client);
    const before = Math.floor(Date.now() / 1000);

    await expectRedirect(
      await logoutGet({ id_token_hint: session.tokens.id_token, post_logout_redirect_uri: POST_LOGOUT_URI }),
      POST_LOGOUT_URI,
    );

    const [request] = await waitForRequests(uri, 1);
    const token = logoutTokenOf(request!);
    const { payload, protectedHeader } = await verifyLogoutToken(token, client.client_id);
    const signingKey = configuredKeys()[0]!;
    expect(protectedHeader).toEqual({ alg: signingKey.alg, kid: signingKey.kid, typ: "logout+jwt" });
    expect(payload).toEqual({
      iss: BASE,
      sub: "user_alice",
      aud: client.client_id,
      iat: expect.any(Number),
      exp: payload.iat! + 120,
      jti: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      sid: session.sid,
      events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    });
    expect(payload.iat).toBeGreaterThanOrEqual(before);
    expect(payload).not.toHaveProperty("nonce");
  });

  it("names the same session as the ID token that was given out with it", async () => {
    const { client, uri } = await notifiedClient();
    const session = await signIn(client);
    const idToken = jwtPayload(session.tokens.id_token);

    await admin("POST", `/admin/grants/${session.sid}/revoke`);

    const notice = await oneNotice(uri, client);
    expect({ iss: notice.iss, sub: notice.sub, aud: notice.aud, sid: notice.sid }).toEqual({
      iss: idToken.iss,
      sub: idToken.sub,
      aud: idToken.aud,
      sid: idToken.sid,
    });
  });

  it("is signed like the client's ID tokens, by the key of its id_token_signed_response_alg", async () => {
    const { client, uri } = await notifiedClient("ok", { id_token_signed_response_alg: "RS256" });
    const session = await signIn(client);

    await admin("POST", `/admin/grants/${session.sid}/revoke`);

    const [request] = await waitForRequests(uri, 1);
    const { protectedHeader } = await verifyLogoutToken(logoutTokenOf(request!), client.client_id);
    expect(protectedHeader).toEqual({ alg: "RS256", kid: "test-rs256", typ: "logout+jwt" });
    expect(decodeProtectedHeader(session.tokens.id_token)).toMatchObject({ alg: "RS256", kid: "test-rs256" });
  });

  it("gets a fresh jti for every notice", async () => {
    const { client, uri } = await notifiedClient();
    const [first, second] = await Promise.all([signIn(client), signIn(client)]);

    await admin("POST", `/admin/grants/${first.sid}/revoke`);
    await admin("POST", `/admin/grants/${second.sid}/revoke`);

    const requests = await waitForRequests(uri, 2);
    const ids = requests.map((request) => decodeJwt(logoutTokenOf(request)).jti);
    expect(new Set(ids).size).toBe(2);
  });
});

describe("back-channel logout: every way a grant is ended", () => {
  it("notifies after revocation with the refresh token (RFC 7009)", async () => {
    const { client, uri } = await notifiedClient();
    const session = await signIn(client);

    await expectRevocationAnswer(await revoke(client, session.tokens.refresh_token));

    expect((await oneNotice(uri, client)).sid).toBe(session.sid);
  });

  it("notifies after revocation with the access token (RFC 7009)", async () => {
    const { client, uri } = await notifiedClient();
    const session = await signIn(client);

    await expectRevocationAnswer(await revoke(client, session.tokens.access_token));

    expect((await oneNotice(uri, client)).sid).toBe(session.sid);
  });

  it("notifies after the admin API ends the grant", async () => {
    const { client, uri } = await notifiedClient();
    const session = await signIn(client);

    expect((await admin("POST", `/admin/grants/${session.sid}/revoke`)).status).toBe(204);

    expect((await oneNotice(uri, client)).sid).toBe(session.sid);
  });

  it("notifies every client of a user signed out everywhere", async () => {
    const subject = `user_${crypto.randomUUID()}`;
    const [one, other] = await Promise.all([notifiedClient(), notifiedClient()]);
    const sessions = await Promise.all(
      [one, other].map(({ client }) => runCodeFlow(client, {}, aliceLogin({ subject }))),
    );

    expect((await admin("POST", `/admin/users/${subject}/revoke`)).status).toBe(204);

    const notices = await Promise.all([oneNotice(one.uri, one.client), oneNotice(other.uri, other.client)]);
    expect(notices.map((notice) => [notice.sid, notice.sub])).toEqual(sessions.map(({ sid }) => [sid, subject]));
  });

  it("notifies when a reused refresh token ends the family", async () => {
    const { client, uri } = await notifiedClient();
    const session = await signIn(client);
    const rotated = await (await refresh(client, session.tokens.refresh_token)).json<{ refresh_token: string }>();
    expect((await refresh(client, rotated.refresh_token)).status).toBe(200);

    expect((await refresh(client, session.tokens.refresh_token)).status).toBe(400);

    expect((await oneNotice(uri, client)).sid).toBe(session.sid);
  });

  it("notifies when a reused authorization code ends the grant", async () => {
    const { client, uri } = await notifiedClient();
    const issued = await issueCode(client);
    expect((await redeem(client, issued)).status).toBe(200);

    expect((await redeem(client, issued)).status).toBe(400);

    expect((await oneNotice(uri, client)).sid).toBe(issued.sid);
  });
});

describe("back-channel logout: when there is nothing to tell", () => {
  // An absence is shown by what comes next: a later grant's notice arrives, alone.
  async function expectOnlyNoticeOf(uri: string, sid: string) {
    await admin("POST", `/admin/grants/${sid}/revoke`);
    const requests = await waitForRequests(uri, 1);
    expect(requests.map((request) => decodeJwt(logoutTokenOf(request)).sid)).toEqual([sid]);
    expect(await receivedAt(uri)).toHaveLength(1);
  }

  it("sends nothing for a refresh that succeeds", async () => {
    const { client, uri } = await notifiedClient();
    const session = await signIn(client);
    const later = await signIn(client);

    expect((await refresh(client, session.tokens.refresh_token)).status).toBe(200);

    await expectOnlyNoticeOf(uri, later.sid);
  });

  it("sends nothing when a family lapses: expiry is not a logout", async () => {
    const { client, uri } = await notifiedClient();
    const session = await signIn(client);
    const later = await signIn(client);
    await ageFamily(session.sid, 15 * 24 * 3600);

    expect((await refresh(client, session.tokens.refresh_token)).status).toBe(400);

    await expectOnlyNoticeOf(uri, later.sid);
  });

  it("sends nothing when a logout is refused", async () => {
    const { client, uri } = await notifiedClient();
    const session = await signIn(client);

    const refused = await logoutGet({
      id_token_hint: session.tokens.id_token,
      post_logout_redirect_uri: "https://evil.example/",
    });
    expect(refused.status).toBe(400);

    await expectOnlyNoticeOf(uri, session.sid);
  });

  it("sends nothing for a grant whose code was never redeemed: the client holds no session", async () => {
    const { client, uri } = await notifiedClient();
    const issued = await issueCode(client);
    const later = await signIn(client);

    expect((await admin("POST", `/admin/grants/${issued.sid}/revoke`)).status).toBe(204);

    await expectOnlyNoticeOf(uri, later.sid);
  });

  it("sends nothing to a client deleted before its grant ended", async () => {
    const [deleted, kept] = await Promise.all([notifiedClient(), notifiedClient()]);
    const [gone, live] = await Promise.all([signIn(deleted.client), signIn(kept.client)]);
    expect((await admin("DELETE", `/admin/clients/${deleted.client.client_id}`)).status).toBe(204);

    await Promise.all([gone, live].map(({ sid }) => admin("POST", `/admin/grants/${sid}/revoke`)));

    // The kept client's notice, sent alongside, shows the deleted one had its chance.
    expect((await oneNotice(kept.uri, kept.client)).sid).toBe(live.sid);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await receivedAt(deleted.uri)).toEqual([]);
  });
});

describe("back-channel logout: delivery", () => {
  it("counts 204 No Content as delivered (§2.8)", async () => {
    const { client, uri } = await notifiedClient("no-content");
    const session = await signIn(client);

    await admin("POST", `/admin/grants/${session.sid}/revoke`);

    expect((await oneNotice(uri, client)).sid).toBe(session.sid);
  });

  it("tries again after failures, with the same token, until the client takes it", async () => {
    const { client, uri } = await notifiedClient("flaky");
    const session = await signIn(client);

    await admin("POST", `/admin/grants/${session.sid}/revoke`);

    const requests = await waitForRequests(uri, 3);
    const tokens = requests.map(logoutTokenOf);
    expect(new Set(tokens).size).toBe(1);
    expect(decodeProtectedHeader(tokens[0]!).typ).toBe("logout+jwt");
  });
});
