// Part 3 of the DPoP check: a refresh token of part 1's public client in a thief's hands. With
// no client secret, the proof is all that binds the token, so Baton must refuse it both without
// a proof and with another key's. The refusals must not cost the real client its family either
// (a thief who could end a session by trying would be a denial of service), so it refreshes
// after each.
import * as oauth from "oauth4webapi";
import { expectBound, expectOAuthError } from "./expect.mjs";
import { INSECURE } from "./setup.mjs";

export async function stolenRefreshToken(dpopClient, { step, report }) {
  const { as, client, jkt } = dpopClient;
  // A fresh family: part 1's was revoked.
  step("stolen refresh token: sign-in");
  let family = await dpopClient.signIn();
  const refreshReal = async () => {
    const result = await dpopClient.refresh(family.refresh_token);
    expectBound(result, jkt);
    family = result;
  };

  step("stolen refresh token: presented without a proof");
  // A plain form post, so that the status (400) is checked along with the error code.
  const plain = await fetch(as.token_endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: family.refresh_token,
      client_id: client.client_id,
    }),
  });
  const plainBody = await plain.json().catch(() => ({}));
  if (plain.status !== 400 || plainBody.error !== "invalid_grant") {
    throw new Error(`without a proof: ${plain.status} ${plainBody.error ?? "(no error)"}, not 400 invalid_grant`);
  }
  step("stolen refresh token: the real client refreshes after the proofless try");
  await refreshReal();

  step("stolen refresh token: presented with another key's proof");
  const thief = oauth.DPoP(client, await oauth.generateKeyPair("ES256"));
  await expectOAuthError(() => dpopClient.refresh(family.refresh_token, { ...INSECURE, DPoP: thief }), "invalid_grant");
  step("stolen refresh token: the real client refreshes after the other key's try");
  await refreshReal();
  await refreshReal();
  report(
    "stolen refresh token: no proof → 400 invalid_grant, another key's proof → 400 invalid_grant; " +
      "the real client refreshed after each (3 rotations), family intact",
  );
}
