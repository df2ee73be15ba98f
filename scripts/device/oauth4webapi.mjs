// The device authorization grant (RFC 8628) as oauth4webapi, a client library written elsewhere,
// drives it: approved (with the slow_down and authorization_pending a polling device meets on
// the way, the tokens, and a refresh), denied, and for a device that registers itself first
// (RFC 7591), which the consent screen must be able to tell from a vetted client.
import { decodeJwt } from "jose";
import * as oauth from "oauth4webapi";
import { DEVICE_CODE_GRANT, SCOPE, USER_CODE, insecure, none, refusal, sleep } from "./baton.mjs";
import { person } from "./person.mjs";

/**
 * Starts a device authorization for `client`; `poll` makes one token request for its code, with
 * `parameters` (a `resource`, say) if given.
 */
async function authorizeDevice({ as }, client, scope) {
  const ask = await oauth.deviceAuthorizationRequest(as, client, none, { scope }, insecure);
  const device = await oauth.processDeviceAuthorizationResponse(as, client, ask);
  const poll = (parameters) =>
    oauth
      .deviceCodeGrantRequest(as, client, none, device.device_code, { ...insecure, additionalParameters: parameters })
      .then((response) => oauth.processDeviceCodeResponse(as, client, response));
  return { device, poll };
}

/** 1a. Resolves with the session it opens, `{sid, tokens}`, for the token exchange to use. */
export async function approvedWithOauth4webapi(p, baton) {
  const { as, admin, publicClient, checkIdToken } = baton;
  const { device, poll } = await authorizeDevice(baton, publicClient, SCOPE);
  p.check(
    USER_CODE.test(device.user_code) &&
      device.verification_uri === `${as.issuer}/device` &&
      device.verification_uri_complete === `${as.issuer}/device?user_code=${device.user_code}` &&
      device.expires_in === 600 &&
      device.interval === 5,
    `device authorization: user_code ${device.user_code}, verification_uri ${device.verification_uri}, expires_in ${device.expires_in}, interval ${device.interval}`,
    JSON.stringify(device),
  );
  let interval = device.interval;

  // A poll at once, before the interval has passed.
  const early = await refusal(poll());
  if (early === "slow_down") interval += 5;
  p.check(early === "slow_down", `a poll at once: slow_down, so the interval grows to ${interval} s`, early);
  await sleep(interval * 1000);
  const pending = await refusal(poll());
  p.check(
    pending === "authorization_pending",
    `a poll ${interval} s later: authorization_pending (the grown interval is kept)`,
    pending,
  );

  // Typed the sloppy way a person types off a screen: lower case, no dash.
  await person(p, baton, {
    verificationUri: device.verification_uri,
    typed: device.user_code.toLowerCase().replace("-", ""),
    subject: "user_tv",
    approve: true,
  });
  // The server answers an approved device at once, whatever the interval.
  const tokens = await poll();
  p.check(
    typeof tokens.access_token === "string" &&
      typeof tokens.refresh_token === "string" &&
      typeof tokens.id_token === "string" &&
      tokens.scope === SCOPE,
    `the next poll, at once: tokens (access, refresh, ID), scope "${tokens.scope}"`,
    JSON.stringify(tokens),
  );
  const idClaims = await checkIdToken(p, tokens.id_token, {
    clientId: publicClient.client_id,
    subject: "user_tv",
  });
  const access = decodeJwt(tokens.access_token);
  p.check(
    access.sid === idClaims.sid && access.aud === publicClient.client_id && access.sub === "user_tv",
    `access token: sub ${access.sub}, aud = the client id (no resource asked), sid as the ID token's`,
  );
  const again = await refusal(poll());
  p.check(again === "invalid_grant", `the device code once more: invalid_grant (good once)`, again);

  const refreshed = await oauth.processRefreshTokenResponse(
    as,
    publicClient,
    await oauth.refreshTokenGrantRequest(as, publicClient, none, tokens.refresh_token, insecure),
  );
  const refreshedId = decodeJwt(refreshed.id_token);
  p.check(
    refreshed.refresh_token !== tokens.refresh_token &&
      refreshedId.sub === idClaims.sub &&
      refreshedId.aud === idClaims.aud &&
      refreshedId.auth_time === idClaims.auth_time &&
      refreshedId.sid === idClaims.sid,
    `refresh: a new refresh token; the ID token keeps sub, aud, auth_time and sid`,
  );
  // The person must be able to find (and end) the session from their list of grants.
  const { grants } = await admin("GET", "/admin/users/user_tv/grants");
  p.check(
    grants.some((g) => g.sid === access.sid && g.client_id === publicClient.client_id),
    `the session is among the user's grants (GET /admin/users/user_tv/grants)`,
    JSON.stringify(grants),
  );
  return { sid: access.sid, tokens: refreshed };
}

/** 1b. A denial must reach the polling device as access_denied, not leave it pending. */
export async function deniedWithOauth4webapi(p, baton) {
  const { device, poll } = await authorizeDevice(baton, baton.publicClient, SCOPE);
  await sleep(device.interval * 1000);
  const pending = await refusal(poll());
  p.check(pending === "authorization_pending", `a poll after ${device.interval} s: authorization_pending`, pending);
  await person(p, baton, {
    verificationUri: device.verification_uri,
    typed: device.user_code,
    subject: "user_declines",
    approve: false,
  });
  await sleep(device.interval * 1000);
  const denied = await refusal(poll());
  p.check(denied === "access_denied", `the next poll, ${device.interval} s later: access_denied`, denied);
}

/** 1c. Open registration is on for this part (see the entry point). */
export async function selfRegisteredWithOauth4webapi(p, baton) {
  const { as } = baton;
  const registration = await oauth.dynamicClientRegistrationRequest(
    as,
    { client_name: "Self-registered TV", grant_types: [DEVICE_CODE_GRANT], token_endpoint_auth_method: "none" },
    insecure,
  );
  const registered = await oauth.processDynamicClientRegistrationResponse(registration);
  const client = { client_id: registered.client_id };
  p.check(
    typeof registered.client_id === "string" && registered.client_secret === undefined,
    `dynamicClientRegistrationRequest: 201, client ${registered.client_id}, no secret (a public client)`,
    JSON.stringify(registered),
  );
  const { device, poll } = await authorizeDevice(baton, client, "openid");
  const { asked } = await person(p, baton, {
    verificationUri: device.verification_uri,
    typed: device.user_code,
    subject: "user_kiosk",
    approve: true,
  });
  // The consent screen must be able to tell a device that named itself from a vetted one.
  p.check(
    asked.client_kind === "dynamic" && asked.client_name === "Self-registered TV",
    `the login hand-off says client_kind "${asked.client_kind}" for it`,
    JSON.stringify(asked),
  );
  await sleep(device.interval * 1000);
  // RFC 8707: a resource the device did not ask for is refused, and spends nothing.
  const foreign = await refusal(poll({ resource: "https://not-asked.example/api" }));
  p.check(
    foreign === "invalid_target",
    `a poll naming a resource the device did not ask for: invalid_target (the approval stays)`,
    foreign,
  );
  await sleep(device.interval * 1000);
  const tokens = await poll();
  p.check(
    decodeJwt(tokens.access_token).sub === "user_kiosk" && tokens.refresh_token === undefined,
    `the poll after the approval: tokens for sub user_kiosk, no refresh token (it did not ask for one)`,
    JSON.stringify(Object.keys(tokens)),
  );
}
