/**
 * RP-initiated logout with an `id_token_hint`: the grant the hint names ends at once, and the
 * browser goes to the client's registered `post_logout_redirect_uri` with `state`, else to
 * `LOGOUT_URL` with nothing added, else to the "signed out" page.
 *
 * @see OpenID Connect RP-Initiated Logout 1.0 §2, §3
 */
import { beforeAll, describe, expect, it } from "vitest";
import { readFamily } from "../support/families";
import { admin } from "../support/worker";
import { type TestClient } from "../support/clients";
import { expectFamilyEnded, expectFamilyLive } from "../revocation/endpoint-requests";
import {
  LOGOUT_URL,
  POST_LOGOUT_URI,
  POST_LOGOUT_URI_WITH_QUERY,
  SIGNED_OUT,
  expectPage,
  expectRedirect,
  expiredIdToken,
  logoutClient,
  logoutGet,
  logoutPost,
  signIn,
} from "./logout-support";

let client: TestClient;

beforeAll(async () => {
  client = await logoutClient();
});

describe("RP-initiated logout with an id_token_hint", () => {
  it("ends the grant and sends the browser to the post_logout_redirect_uri with state", async () => {
    const session = await signIn(client);

    const response = await logoutGet({
      id_token_hint: session.tokens.id_token,
      post_logout_redirect_uri: POST_LOGOUT_URI,
      state: "s-1 &=?/é",
    });

    await expectRedirect(response, `${POST_LOGOUT_URI}?state=s-1+%26%3D%3F%2F%C3%A9`);
    expect(await readFamily(session.sid)).toBeUndefined();
    await expectFamilyEnded(client, session.tokens);
  });

  it("keeps the registered query of the post_logout_redirect_uri and appends state to it", async () => {
    const session = await signIn(client);

    const response = await logoutGet({
      id_token_hint: session.tokens.id_token,
      post_logout_redirect_uri: POST_LOGOUT_URI_WITH_QUERY,
      state: "abc",
    });

    await expectRedirect(response, `${POST_LOGOUT_URI_WITH_QUERY}&state=abc`);
  });

  it("redirects to the post_logout_redirect_uri exactly as registered when there is no state", async () => {
    const session = await signIn(client);

    const response = await logoutGet({
      id_token_hint: session.tokens.id_token,
      post_logout_redirect_uri: POST_LOGOUT_URI,
    });

    await expectRedirect(response, POST_LOGOUT_URI);
    await expectFamilyEnded(client, session.tokens);
  });

  it("accepts a client_id that is the hint's audience", async () => {
    const session = await signIn(client);

    const response = await logoutGet({
      id_token_hint: session.tokens.id_token,
      client_id: client.client_id,
      post_logout_redirect_uri: POST_LOGOUT_URI,
      state: "s",
    });

    await expectRedirect(response, `${POST_LOGOUT_URI}?state=s`);
    await expectFamilyEnded(client, session.tokens);
  });

  it("sends the browser to LOGOUT_URL, with nothing added, when no post_logout_redirect_uri is given", async () => {
    const session = await signIn(client);

    const response = await logoutGet(
      { id_token_hint: session.tokens.id_token, client_id: client.client_id, state: "not-for-the-host" },
      { LOGOUT_URL },
    );

    await expectRedirect(response, LOGOUT_URL);
    await expectFamilyEnded(client, session.tokens);
  });

  it("prefers the client's post_logout_redirect_uri to LOGOUT_URL", async () => {
    const session = await signIn(client);

    const response = await logoutGet(
      { id_token_hint: session.tokens.id_token, post_logout_redirect_uri: POST_LOGOUT_URI },
      { LOGOUT_URL },
    );

    await expectRedirect(response, POST_LOGOUT_URI);
  });

  it("shows the signed-out page when there is neither a post_logout_redirect_uri nor LOGOUT_URL", async () => {
    const session = await signIn(client);

    const response = await logoutGet({ id_token_hint: session.tokens.id_token, state: "ignored" });

    await expectPage(response, 200, SIGNED_OUT);
    await expectFamilyEnded(client, session.tokens);
  });

  it("takes the same parameters as a form POST", async () => {
    const session = await signIn(client);

    const response = await logoutPost(
      { id_token_hint: session.tokens.id_token, post_logout_redirect_uri: POST_LOGOUT_URI, state: "posted" },
      // The client's own page posts it: a cross-site form is how RP-initiated logout works.
      { "Sec-Fetch-Site": "cross-site" },
    );

    await expectRedirect(response, `${POST_LOGOUT_URI}?state=posted`);
    await expectFamilyEnded(client, session.tokens);
  });

  it("accepts an expired hint and still ends its grant", async () => {
    const session = await signIn(client);

    const response = await logoutGet({
      id_token_hint: await expiredIdToken(client.client_id, session.sid),
      post_logout_redirect_uri: POST_LOGOUT_URI,
      state: "late",
    });

    await expectRedirect(response, `${POST_LOGOUT_URI}?state=late`);
    await expectFamilyEnded(client, session.tokens);
  });

  it("redirects again for a grant that already ended: logging out is idempotent (§4)", async () => {
    const session = await signIn(client);
    const query = { id_token_hint: session.tokens.id_token, post_logout_redirect_uri: POST_LOGOUT_URI, state: "x" };
    await expectRedirect(await logoutGet(query), `${POST_LOGOUT_URI}?state=x`);

    await expectRedirect(await logoutGet(query), `${POST_LOGOUT_URI}?state=x`);
  });

  it("ends only the grant the hint names", async () => {
    const ended = await signIn(client);
    const kept = await signIn(client);

    await expectPage(await logoutGet({ id_token_hint: ended.tokens.id_token }), 200, SIGNED_OUT);

    await expectFamilyEnded(client, ended.tokens);
    await expectFamilyLive(client, kept.tokens);
  });

  it("ends the grant of a client deleted since, without a post_logout_redirect_uri", async () => {
    const doomed = await logoutClient();
    const session = await signIn(doomed);
    expect((await admin("DELETE", `/admin/clients/${doomed.client_id}`)).status).toBe(204);

    const response = await logoutGet({ id_token_hint: session.tokens.id_token }, { LOGOUT_URL });

    await expectRedirect(response, LOGOUT_URL);
    expect(await readFamily(session.sid)).toBeUndefined();
  });
});
