// The device authorization grant (RFC 8628) as openid-client (v6), a second client library
// written elsewhere, drives it from discovery alone: approved (tokens, the ID token's claims, a
// refresh) and denied. Unlike oauth4webapi, which leaves polling to its caller, it polls on its
// own at the interval the server gives, so the person answers while the library waits.
import * as openid from "openid-client";
import { DEVICE_CODE_GRANT, SCOPE, USER_CODE } from "./baton.mjs";
import { person } from "./person.mjs";

/** The library configured from Baton's metadata for the public device client. */
function discover({ issuer, publicClient }) {
  return openid.discovery(issuer, publicClient.client_id, undefined, openid.None(), {
    execute: [openid.allowInsecureRequests],
  });
}

/** 2a. The person signs in from the complete URI, the way a phone scanning a QR code would. */
export async function approvedWithOpenidClient(p, baton) {
  const { as, publicClient, checkIdToken } = baton;
  const config = await discover(baton);
  p.check(
    config.serverMetadata().device_authorization_endpoint === `${as.issuer}/oauth2/device_authorization` &&
      config.serverMetadata().grant_types_supported.includes(DEVICE_CODE_GRANT),
    `discovery: device_authorization_endpoint ${config.serverMetadata().device_authorization_endpoint}, the grant listed`,
  );
  const device = await openid.initiateDeviceAuthorization(config, { scope: SCOPE });
  p.check(USER_CODE.test(device.user_code), `initiateDeviceAuthorization: user_code ${device.user_code}`);
  // openid-client waits the interval before each poll; the person answers meanwhile, from
  // verification_uri_complete (the link a QR code would hold).
  const polling = openid.pollDeviceAuthorizationGrant(config, device);
  const completeUri = new URL(device.verification_uri_complete);
  await person(p, baton, {
    verificationUri: `${completeUri.origin}${completeUri.pathname}`,
    typed: completeUri.searchParams.get("user_code"),
    subject: "user_laptop",
    approve: true,
  });
  const tokens = await polling;
  const claims = tokens.claims();
  p.check(
    claims?.sub === "user_laptop" && typeof tokens.refresh_token === "string",
    `pollDeviceAuthorizationGrant: tokens; the ID token's claims() give sub ${claims?.sub}`,
  );
  await checkIdToken(p, tokens.id_token, { clientId: publicClient.client_id, subject: "user_laptop" });
  const refreshed = await openid.refreshTokenGrant(config, tokens.refresh_token);
  p.check(
    refreshed.refresh_token !== tokens.refresh_token &&
      refreshed.claims()?.sub === "user_laptop" &&
      refreshed.claims()?.auth_time === claims.auth_time,
    `refreshTokenGrant: a new refresh token, the same sub and auth_time`,
  );
}

/** 2b. The library must end its polling on a denial, with the error for the caller to show. */
export async function deniedWithOpenidClient(p, baton) {
  const config = await discover(baton);
  const device = await openid.initiateDeviceAuthorization(config, { scope: SCOPE });
  // Settled into a value at once, so that the rejection is not unhandled while the person answers.
  const polling = openid.pollDeviceAuthorizationGrant(config, device).then(
    () => "no error",
    (error) => (error instanceof openid.ResponseBodyError ? error.error : String(error)),
  );
  await person(p, baton, {
    verificationUri: device.verification_uri,
    typed: device.user_code,
    subject: "user_declines",
    approve: false,
  });
  const outcome = await polling;
  p.check(
    outcome === "access_denied",
    `pollDeviceAuthorizationGrant rejects with ResponseBodyError access_denied`,
    outcome,
  );
}
