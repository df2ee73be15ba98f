// Token exchange (RFC 8693) with oauth4webapi, as an API gateway in front of a downstream API
// would use it: the device's own token is for the device client, so the downstream API (a
// resource server verifying with jose, ./resource-server.mjs) refuses it and takes an exchanged
// one, audience-bound to it and naming the gateway as the actor. Then what the exchange refuses,
// and the session's end: revoking the grant the device signed in with must end every token
// exchanged from it, and the device's refresh token, at once for anyone who introspects.
import { decodeJwt, decodeProtectedHeader } from "jose";
import * as oauth from "oauth4webapi";
import { ACCESS_TOKEN_TYPE, SCOPE, TOKEN_EXCHANGE_GRANT, insecure, refusal } from "./baton.mjs";
import { exchangeRace } from "./races.mjs";
import { startApi } from "./resource-server.mjs";

/**
 * 3. Exchanges the access token of `deviceSession` (`{sid, tokens}`, from 1a), and runs 4b into
 * `racePart` on the way, before the session ends.
 */
export async function tokenExchange(p, baton, deviceSession, racePart) {
  if (deviceSession === undefined) throw new Error("no session from 1a to exchange");
  const { as, admin, publicClient, post } = baton;
  const api = await startApi(baton);
  try {
    const { resource, callApi } = api;
    const registered = await admin("POST", "/admin/clients", {
      client_name: "Device check API gateway",
      grant_types: [TOKEN_EXCHANGE_GRANT],
      token_endpoint_auth_method: "client_secret_basic",
      scope: SCOPE,
    });
    const gateway = { client_id: registered.client_id };
    const gatewayAuth = oauth.ClientSecretBasic(registered.client_secret);
    const subjectToken = deviceSession.tokens.access_token;
    const exchangeRequest = (fields) =>
      oauth.genericTokenEndpointRequest(as, gateway, gatewayAuth, TOKEN_EXCHANGE_GRANT, fields, insecure);
    const exchangeFor = (fields) =>
      exchangeRequest(fields).then((response) => oauth.processGenericTokenEndpointResponse(as, gateway, response));
    const fields = { subject_token: subjectToken, subject_token_type: ACCESS_TOKEN_TYPE, resource };

    const exchanged = await exchangeFor(fields);
    const claims = decodeJwt(exchanged.access_token);
    const subject = decodeJwt(subjectToken);
    p.check(
      exchanged.issued_token_type === ACCESS_TOKEN_TYPE &&
        exchanged.refresh_token === undefined &&
        exchanged.token_type === "bearer" &&
        claims.aud === resource &&
        claims.sub === subject.sub &&
        claims.sid === subject.sid &&
        claims.client_id === gateway.client_id &&
        claims.act?.sub === gateway.client_id &&
        decodeProtectedHeader(exchanged.access_token).typ === "at+jwt",
      `genericTokenEndpointRequest (${TOKEN_EXCHANGE_GRANT.split(":").pop()}): issued_token_type access_token, no refresh token; aud ${claims.aud}, sub ${claims.sub}, the same sid, client_id and act.sub = the gateway`,
      JSON.stringify({ exchanged, claims }),
    );

    const accepted = await callApi(exchanged.access_token);
    p.check(
      accepted.status === 200 && accepted.body.sub === subject.sub,
      `the resource server (jose: JWKS, issuer, audience ${resource}, typ at+jwt) accepts it: 200 for ${accepted.body?.sub}`,
      JSON.stringify(accepted),
    );
    const refused = await callApi(subjectToken);
    p.check(
      refused.status === 401 && /ERR_JWT_CLAIM_VALIDATION_FAILED/.test(refused.www ?? ""),
      `and refuses the device's own token (aud ${subject.aud}): 401, ${refused.www}`,
      JSON.stringify(refused),
    );

    // What the exchange refuses: it may narrow what the subject token allows, never widen it.
    const wider = await refusal(exchangeFor({ ...fields, scope: `${SCOPE} profile` }));
    p.check(wider === "invalid_scope", `a scope wider than the subject token's: invalid_scope`, wider);
    const noTarget = await refusal(exchangeFor({ subject_token: subjectToken, subject_token_type: ACCESS_TOKEN_TYPE }));
    p.check(noTarget === "invalid_request", `no resource and no audience: invalid_request`, noTarget);
    const asDevice = await post("/oauth2/token", {
      grant_type: TOKEN_EXCHANGE_GRANT,
      client_id: publicClient.client_id,
      ...fields,
    });
    p.check(
      asDevice.status === 400 && asDevice.body.error === "unauthorized_client",
      `the device client (public, without the grant) exchanging: unauthorized_client`,
      JSON.stringify(asDevice),
    );

    const raced = await exchangeRace(racePart, { exchangeRequest, fields, callApi });

    // The person signs this session out.
    const introspect = (token) =>
      oauth
        .introspectionRequest(as, gateway, gatewayAuth, token, insecure)
        .then((response) => oauth.processIntrospectionResponse(as, gateway, response));
    const before = await introspect(exchanged.access_token);
    p.check(
      before.active === true && before.sid === deviceSession.sid && before.client_id === gateway.client_id,
      `introspection before: active, sid ${before.sid?.slice(0, 10)}…, client_id the gateway, aud ${before.aud}`,
      JSON.stringify(before),
    );
    await admin("POST", `/admin/grants/${deviceSession.sid}/revoke`);
    p.log(`POST /admin/grants/${deviceSession.sid.slice(0, 10)}…/revoke: 204`);
    const after = await introspect(exchanged.access_token);
    p.check(
      JSON.stringify(after) === '{"active":false}',
      `introspection of the exchanged token after: ${JSON.stringify(after)}`,
      JSON.stringify(after),
    );
    const oneOfTwenty = await introspect(raced[0].access_token);
    p.check(oneOfTwenty.active === false, `and of one of the twenty: inactive too`);
    const subjectAfter = await introspect(subjectToken);
    p.check(subjectAfter.active === false, `the subject token: inactive`);
    const reexchange = await refusal(exchangeFor(fields));
    p.check(reexchange === "invalid_grant", `exchanging the subject token again: invalid_grant`, reexchange);
    const refresh = await post("/oauth2/token", {
      grant_type: "refresh_token",
      refresh_token: deviceSession.tokens.refresh_token,
      client_id: publicClient.client_id,
    });
    p.check(
      refresh.status === 400 && refresh.body.error === "invalid_grant",
      `the device's refresh token: invalid_grant`,
      JSON.stringify(refresh),
    );
    // Not a check: a self-contained JWT stays valid to a verifier that does not ask Baton.
    const stillSigned = await callApi(exchanged.access_token);
    p.log(
      `(a resource server that only checks the signature still answers ${stillSigned.status} until exp; one that must see revocation at once introspects)`,
    );
  } finally {
    api.close();
  }
}
