/**
 * RP-initiated logout by a client that nobody registered, identified by its Client ID Metadata
 * Document (while `CLIENT_ID_METADATA_DOCUMENTS=true`): its post-logout redirect URIs come from
 * the document, fetched from a real HTTP server, like its redirect URIs do.
 */
import { describe, expect, it } from "vitest";
import { authorizationQuery, completeLogin, expectLoginHandOff, type CodeTokens } from "../support/code-flow";
import { documentUrl, goodDocument, serveDocument, withDocuments } from "../support/metadata-documents";
import { confirmation, confirmationCsp, expectPage, expectRedirect, refused, REASON } from "./logout-support";

const SIGNED_OUT_URI = "https://app.example/signed-out";

/** A document client that registered `SIGNED_OUT_URI`, signed in through the code flow. */
async function documentSession() {
  const clientId = documentUrl("custom");
  await serveDocument(clientId, { ...goodDocument(clientId), post_logout_redirect_uris: [SIGNED_OUT_URI] });
  const started = await authorizationQuery({ client_id: clientId });
  const id = expectLoginHandOff(await withDocuments(`/oauth2/authorize?${new URLSearchParams(started.query)}`));
  const callback = await completeLogin(id);
  const response = await withDocuments("/oauth2/token", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code: callback.searchParams.get("code")!,
      redirect_uri: started.query.redirect_uri!,
      code_verifier: started.codeVerifier!,
      client_id: clientId,
    }),
  });
  expect(response.status).toBe(200);
  return { clientId, tokens: await response.json<CodeTokens>() };
}

function logout(query: Record<string, string>) {
  return withDocuments(`/oauth2/logout?${new URLSearchParams(query)}`);
}

describe("RP-initiated logout by a metadata document client", () => {
  it("sends the browser to a post_logout_redirect_uri of the document, and ends the session", async () => {
    const { clientId, tokens } = await documentSession();

    const response = await logout({
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: SIGNED_OUT_URI,
      state: "d",
    });

    await expectRedirect(response, `${SIGNED_OUT_URI}?state=d`);
    const refreshed = await withDocuments("/oauth2/token", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: tokens.refresh_token!,
        client_id: clientId,
      }),
    });
    expect(refreshed.status).toBe(400);
  });

  it("refuses a post_logout_redirect_uri that its document does not list", async () => {
    const { tokens } = await documentSession();

    const response = await logout({
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: "https://app.example/other",
    });

    await expectPage(response, 400, refused(REASON.unregistered));
  });

  it("names the document's client_name when asking the user", async () => {
    const { clientId } = await documentSession();

    const response = await logout({ client_id: clientId, post_logout_redirect_uri: SIGNED_OUT_URI });

    await expectPage(
      response,
      200,
      confirmation("<strong>Document App</strong>", [
        ["client_id", clientId],
        ["post_logout_redirect_uri", SIGNED_OUT_URI],
      ]),
      confirmationCsp("https://app.example"),
    );
  });
});
