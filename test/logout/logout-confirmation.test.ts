/**
 * RP-initiated logout without an `id_token_hint`: nothing proves whose session it is, so the user
 * is asked first (§2: the OP MUST ask), and their answer only moves the browser on; no grant is
 * ever revoked without a verified hint. Only Baton's own form, posted from its own origin,
 * answers the question.
 *
 * @see OpenID Connect RP-Initiated Logout 1.0 §2, §6 (security considerations)
 */
import { beforeAll, describe, it } from "vitest";
import { registerClient, type TestClient } from "../support/clients";
import { expectFamilyLive } from "../revocation/endpoint-requests";
import { PAGE_CSP } from "../pages/page-support";
import { BASE } from "../support/worker";
import {
  LOGOUT_URL,
  POST_LOGOUT_URI,
  REASON,
  SIGNED_OUT,
  confirmation,
  confirmationCsp,
  expectPage,
  expectRedirect,
  logoutClient,
  logoutGet,
  logoutPost,
  refused,
  signIn,
} from "./logout-support";

let client: TestClient;

beforeAll(async () => {
  client = await logoutClient({ client_name: "Test app" });
});

/** Baton's confirmation form as the browser posts it from Baton's own page. */
function confirm(fields: Record<string, string> = {}, settings = {}) {
  return logoutPost({ ...fields, confirm: "yes" }, { "Sec-Fetch-Site": "same-origin" }, settings);
}

describe("RP-initiated logout without a hint: the question", () => {
  it("asks the user, naming no one, when the request names no client", async () => {
    await expectPage(await logoutGet({}), 200, confirmation("An application"));
  });

  it("names the client and carries the request's parameters in the form", async () => {
    const session = await signIn(client);

    const response = await logoutGet({
      client_id: client.client_id,
      post_logout_redirect_uri: POST_LOGOUT_URI,
      state: "s-1",
    });

    await expectPage(
      response,
      200,
      confirmation("<strong>Test app</strong>", [
        ["client_id", client.client_id],
        ["post_logout_redirect_uri", POST_LOGOUT_URI],
        ["state", "s-1"],
      ]),
      confirmationCsp("https://app.example"),
    );
    await expectFamilyLive(client, session.tokens);
  });

  it("lets the form go on to LOGOUT_URL when that is where the answer leads", async () => {
    await expectPage(
      await logoutGet({}, { LOGOUT_URL }),
      200,
      confirmation("An application"),
      confirmationCsp("https://host.example"),
    );
  });

  it("names a client without a client_name by its id", async () => {
    const nameless = await registerClient({ client_name: undefined });

    await expectPage(
      await logoutGet({ client_id: nameless.client_id }),
      200,
      confirmation(`<strong>${nameless.client_id}</strong>`, [["client_id", nameless.client_id]]),
    );
  });

  it("escapes the client's name and the request's values", async () => {
    const tricky = await registerClient({
      client_name: `<img src=x onerror="alert('1')"> & co`,
      post_logout_redirect_uris: [`https://app.example/bye?a="b"&c=<d>`],
    });

    const response = await logoutGet({
      client_id: tricky.client_id,
      post_logout_redirect_uri: `https://app.example/bye?a="b"&c=<d>`,
      state: `"><script>alert(1)</script>`,
    });

    await expectPage(
      response,
      200,
      confirmation("<strong>&#60;img src=x onerror=&#34;alert(&#39;1&#39;)&#34;&#62; &#38; co</strong>", [
        ["client_id", tricky.client_id],
        ["post_logout_redirect_uri", "https://app.example/bye?a=&#34;b&#34;&#38;c=&#60;d&#62;"],
        ["state", "&#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;"],
      ]),
      confirmationCsp("https://app.example"),
    );
  });

  it.each<[string, () => Promise<Response>]>([
    ["a GET that says confirm=yes", () => logoutGet({ client_id: client.client_id, confirm: "yes" })],
    [
      "a form posted from another site",
      () => logoutPost({ client_id: client.client_id, confirm: "yes" }, { "Sec-Fetch-Site": "cross-site" }),
    ],
    [
      "a form posted from a sibling site",
      () => logoutPost({ client_id: client.client_id, confirm: "yes" }, { "Sec-Fetch-Site": "same-site" }),
    ],
    [
      "a form posted with neither Fetch Metadata nor Origin",
      () => logoutPost({ client_id: client.client_id, confirm: "yes" }),
    ],
    [
      "a form posted without Fetch Metadata from another origin",
      () => logoutPost({ client_id: client.client_id, confirm: "yes" }, { Origin: "https://evil.example" }),
    ],
    [
      "a cross-site form, whatever its Origin says",
      () =>
        logoutPost({ client_id: client.client_id, confirm: "yes" }, { "Sec-Fetch-Site": "cross-site", Origin: BASE }),
    ],
    [
      "another answer than yes",
      () => logoutPost({ client_id: client.client_id, confirm: "true" }, { "Sec-Fetch-Site": "same-origin" }),
    ],
  ])("asks again for %s: a client cannot answer for the user", async (_label, request) => {
    await expectPage(
      await request(),
      200,
      confirmation("<strong>Test app</strong>", [["client_id", client.client_id]]),
    );
  });
});

describe("RP-initiated logout without a hint: the answer", () => {
  it("sends the browser to the post_logout_redirect_uri with state, and revokes nothing", async () => {
    const session = await signIn(client);

    const response = await confirm({
      client_id: client.client_id,
      post_logout_redirect_uri: POST_LOGOUT_URI,
      state: "s-2",
    });

    await expectRedirect(response, `${POST_LOGOUT_URI}?state=s-2`);
    await expectFamilyLive(client, session.tokens);
  });

  it("sends the browser to LOGOUT_URL when no post_logout_redirect_uri is given", async () => {
    await expectRedirect(await confirm({ client_id: client.client_id, state: "s" }, { LOGOUT_URL }), LOGOUT_URL);
  });

  it("takes the answer of a browser that sends no Fetch Metadata by its Origin", async () => {
    const response = await logoutPost(
      { client_id: client.client_id, post_logout_redirect_uri: POST_LOGOUT_URI, state: "s-3", confirm: "yes" },
      { Origin: BASE },
    );

    await expectRedirect(response, `${POST_LOGOUT_URI}?state=s-3`);
  });

  it("keeps a LOGOUT_URL's own query and fragment, appending nothing", async () => {
    const page = `${LOGOUT_URL}?from=baton#signed-out`;
    await expectRedirect(await confirm({ client_id: client.client_id, state: "s" }, { LOGOUT_URL: page }), page);
  });

  it("shows the signed-out page when there is nowhere to go on to", async () => {
    await expectPage(await confirm(), 200, SIGNED_OUT, PAGE_CSP);
  });

  it("checks the post_logout_redirect_uri again when the answer comes", async () => {
    const response = await confirm({ client_id: client.client_id, post_logout_redirect_uri: "https://evil.example/" });

    await expectPage(response, 400, refused(REASON.unregistered));
  });
});
