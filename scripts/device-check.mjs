#!/usr/bin/env node
// `npm run test:device`: the device authorization grant (RFC 8628) and token exchange (RFC 8693)
// against a real, isolated `wrangler dev`, driven by two stock clients written elsewhere
// (oauth4webapi and openid-client), with the person's side done over HTTP as a browser and the
// host application would: type the code at /device, get handed to the login, approve or deny
// through the admin API. Then a resource server verifies exchanged tokens with jose, a session
// revocation ends them, and two concurrency checks run against the same server.
//
// The device flows poll at the interval the server gives (5 s, 10 s after a slow_down), so they
// run side by side: the whole check takes about 15 s.
import { createServer } from "node:http";
import { adminJsonApi } from "./cli/admin-api.mjs";
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import * as oauth from "oauth4webapi";
import * as openid from "openid-client";
import { freePort, startDevServer } from "./dev-server.mjs";

const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
const SCOPE = "openid email offline_access";
const USER_CODE = /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/;

const started = Date.now();
const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
let passed = 0;
let failed = 0;

// Nothing here may hang CI: a stuck poll or server ends the check as a failure.
const watchdog = setTimeout(() => {
  console.error(`device check: no end after 120 s, giving up`);
  process.exit(1);
}, 120_000);
watchdog.unref();

/** One part of the check: its lines are kept and printed together, since parts run side by side. */
function part(title) {
  const lines = [`\n== ${title}`];
  return {
    lines,
    log: (line) => lines.push(`   ${line}`),
    check(ok, what, detail) {
      if (ok) passed++;
      else failed++;
      lines.push(`${ok ? "ok " : "FAIL"} ${what}${!ok && detail !== undefined ? ` (${detail})` : ""}`);
      return ok;
    },
    fail(error) {
      failed++;
      lines.push(`FAIL ${error?.stack ?? error}`);
    },
  };
}

/** Runs parts side by side; prints each one's lines in order once all are done. */
async function runParts(parts) {
  await Promise.all(
    parts.map(async ([p, run]) => {
      try {
        await run(p);
      } catch (error) {
        p.fail(error);
      }
    }),
  );
  for (const [p] of parts) console.log(p.lines.join("\n"));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Open registration on, for the device that registers itself (part 1c).
const server = await startDevServer({ vars: { DYNAMIC_REGISTRATION: "open" } });
const base = server.url;
const issuer = new URL(base);
// Plain http is fine on 127.0.0.1; both libraries insist on being told so.
const insecure = { [oauth.allowInsecureRequests]: true };
let resourceServer;

try {
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
  const jwks = createRemoteJWKSet(new URL(as.jwks_uri));

  const admin = adminJsonApi(server);

  /** A raw form POST; resolves `{status, body}` with the body parsed. */
  async function post(path, fields, headers = {}) {
    const response = await fetch(base + path, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(fields),
    });
    const text = await response.text();
    return { status: response.status, body: text === "" ? undefined : JSON.parse(text) };
  }

  const basic = (id, secret) => `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;

  /**
   * The person's side: open the verification URI with the code typed in (any case, with or
   * without the dash), follow the hand-off to the login, and answer as the host application does
   * after its consent screen. Resolves what each step showed.
   */
  async function person(p, { verificationUri, typed, subject, approve }) {
    const url = new URL(verificationUri);
    url.searchParams.set("user_code", typed);
    const handOff = await fetch(url, { redirect: "manual" });
    await handOff.arrayBuffer();
    const login = new URL(handOff.headers.get("Location") ?? "/nowhere", base);
    const id = login.searchParams.get("authorization_request");
    p.check(
      handOff.status === 302 && login.pathname === "/dev/login" && id !== null,
      `the person types "${typed}" at ${new URL(verificationUri).pathname}: 302 to the login (${login.pathname}?authorization_request=…)`,
      `${handOff.status} ${login}`,
    );
    const asked = await admin("GET", `/admin/authorizations/${id}`);
    p.log(`consent screen reads: client ${asked.client_name}, scope "${asked.scope}", kind ${asked.client_kind}`);
    const answer = approve
      ? await admin("POST", `/admin/authorizations/${id}/complete`, {
          subject,
          claims: { email: `${subject}@example.com`, email_verified: true },
        })
      : await admin("POST", `/admin/authorizations/${id}/deny`);
    const page = await fetch(answer.redirect_to);
    const html = await page.text();
    const heading = /<h1>([^<]*)<\/h1>/.exec(html)?.[1];
    p.check(
      page.status === 200 && heading === (approve ? "Device connected" : "Device not connected"),
      `${approve ? "approved" : "denied"}; the browser lands on "${heading}" (${new URL(answer.redirect_to).pathname}${new URL(answer.redirect_to).search})`,
      `${page.status} ${heading}`,
    );
    return { asked };
  }

  /** Verifies an ID token's signature with Baton's JWKS, and what it says. */
  async function checkIdToken(p, idToken, { clientId, subject }) {
    const { payload, protectedHeader } = await jwtVerify(idToken, jwks, { issuer: as.issuer, audience: clientId });
    p.check(
      payload.sub === subject &&
        payload.email === `${subject}@example.com` &&
        typeof payload.auth_time === "number" &&
        typeof payload.sid === "string" &&
        payload.nonce === undefined,
      `ID token verified with the JWKS (${protectedHeader.alg}): iss, aud = the client, sub ${payload.sub}, email, auth_time, sid, no nonce`,
      JSON.stringify(payload),
    );
    return payload;
  }

  /** The error of a token endpoint refusal as oauth4webapi reports it. */
  async function refusal(promise) {
    try {
      await promise;
      return "no error";
    } catch (error) {
      if (error instanceof oauth.ResponseBodyError) return error.error;
      throw error;
    }
  }

  const deviceClient = await admin("POST", "/admin/clients", {
    client_name: "Device check TV",
    grant_types: [DEVICE_CODE_GRANT, "refresh_token"],
    token_endpoint_auth_method: "none",
    scope: SCOPE,
  });
  const publicClient = { client_id: deviceClient.client_id };
  const none = oauth.None();

  // ---------------------------------------------------------------------------------------------
  // 1 and 2: four device flows at once (oauth4webapi and openid-client, approved and denied), and
  // ten polls at the moment of approval.
  const approvedWith4 = part("1a. device flow with oauth4webapi, approved: slow_down, pending, tokens, refresh");
  const deniedWith4 = part("1b. device flow with oauth4webapi, denied");
  const approvedWithOpenid = part("2a. device flow with openid-client (discovery, initiate, poll), approved");
  const deniedWithOpenid = part("2b. device flow with openid-client, denied");
  const selfRegistered = part("1c. a device that registers itself with oauth4webapi (RFC 7591), then signs in");
  const racing = part("4a. ten parallel polls of one device code right after its approval");
  let deviceSession;

  await runParts([
    [
      approvedWith4,
      async (p) => {
        const ask = await oauth.deviceAuthorizationRequest(as, publicClient, none, { scope: SCOPE }, insecure);
        const device = await oauth.processDeviceAuthorizationResponse(as, publicClient, ask);
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
        const poll = () =>
          oauth
            .deviceCodeGrantRequest(as, publicClient, none, device.device_code, insecure)
            .then((response) => oauth.processDeviceCodeResponse(as, publicClient, response));

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

        await person(p, {
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
        const { grants } = await admin("GET", "/admin/users/user_tv/grants");
        p.check(
          grants.some((g) => g.sid === access.sid && g.client_id === publicClient.client_id),
          `the session is among the user's grants (GET /admin/users/user_tv/grants)`,
          JSON.stringify(grants),
        );
        deviceSession = { sid: access.sid, tokens: refreshed };
      },
    ],
    [
      deniedWith4,
      async (p) => {
        const ask = await oauth.deviceAuthorizationRequest(as, publicClient, none, { scope: SCOPE }, insecure);
        const device = await oauth.processDeviceAuthorizationResponse(as, publicClient, ask);
        const poll = () =>
          oauth
            .deviceCodeGrantRequest(as, publicClient, none, device.device_code, insecure)
            .then((response) => oauth.processDeviceCodeResponse(as, publicClient, response));
        await sleep(device.interval * 1000);
        const pending = await refusal(poll());
        p.check(
          pending === "authorization_pending",
          `a poll after ${device.interval} s: authorization_pending`,
          pending,
        );
        await person(p, {
          verificationUri: device.verification_uri,
          typed: device.user_code,
          subject: "user_declines",
          approve: false,
        });
        await sleep(device.interval * 1000);
        const denied = await refusal(poll());
        p.check(denied === "access_denied", `the next poll, ${device.interval} s later: access_denied`, denied);
      },
    ],
    [
      approvedWithOpenid,
      async (p) => {
        const config = await openid.discovery(issuer, publicClient.client_id, undefined, openid.None(), {
          execute: [openid.allowInsecureRequests],
        });
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
        await person(p, {
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
      },
    ],
    [
      deniedWithOpenid,
      async (p) => {
        const config = await openid.discovery(issuer, publicClient.client_id, undefined, openid.None(), {
          execute: [openid.allowInsecureRequests],
        });
        const device = await openid.initiateDeviceAuthorization(config, { scope: SCOPE });
        const polling = openid.pollDeviceAuthorizationGrant(config, device).then(
          () => "no error",
          (error) => (error instanceof openid.ResponseBodyError ? error.error : String(error)),
        );
        await person(p, {
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
      },
    ],
    [
      selfRegistered,
      async (p) => {
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
        const ask = await oauth.deviceAuthorizationRequest(as, client, none, { scope: "openid" }, insecure);
        const device = await oauth.processDeviceAuthorizationResponse(as, client, ask);
        const { asked } = await person(p, {
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
        const tokens = await oauth.processDeviceCodeResponse(
          as,
          client,
          await oauth.deviceCodeGrantRequest(as, client, none, device.device_code, insecure),
        );
        p.check(
          decodeJwt(tokens.access_token).sub === "user_kiosk" && tokens.refresh_token === undefined,
          `the poll after the approval: tokens for sub user_kiosk, no refresh token (it did not ask for one)`,
          JSON.stringify(Object.keys(tokens)),
        );
      },
    ],
    [
      racing,
      async (p) => {
        const ask = await post("/oauth2/device_authorization", { client_id: publicClient.client_id, scope: SCOPE });
        await person(p, {
          verificationUri: ask.body.verification_uri,
          typed: ask.body.user_code,
          subject: "user_race",
          approve: true,
        });
        const answers = await Promise.all(
          Array.from({ length: 10 }, () =>
            post("/oauth2/token", {
              grant_type: DEVICE_CODE_GRANT,
              device_code: ask.body.device_code,
              client_id: publicClient.client_id,
            }),
          ),
        );
        const winners = answers.filter((a) => a.status === 200);
        const others = answers.filter((a) => a.status !== 200);
        const tally = {};
        for (const a of answers) {
          const key = a.status === 200 ? "200" : `${a.status} ${a.body?.error}`;
          tally[key] = (tally[key] ?? 0) + 1;
        }
        p.check(
          winners.length === 1 && others.every((a) => a.status === 400 && a.body?.error === "invalid_grant"),
          `10 polls at once: exactly one 200, the other nine invalid_grant (${JSON.stringify(tally)})`,
          JSON.stringify(tally),
        );
        if (winners.length === 1) {
          const refreshed = await post("/oauth2/token", {
            grant_type: "refresh_token",
            refresh_token: winners[0].body.refresh_token,
            client_id: publicClient.client_id,
          });
          p.check(refreshed.status === 200, `the winner's refresh token works: 200`, refreshed.status);
        }
      },
    ],
  ]);

  // ---------------------------------------------------------------------------------------------
  // 3 and 4: a downstream API takes an exchanged token, not the device's own; twenty exchanges of
  // one subject token at once; the session's end ends the exchanged token.
  const exchange = part("3. token exchange with oauth4webapi, a resource server verifying with jose");
  const exchangeRace = part("4b. twenty parallel exchanges of one subject token");
  await runParts([
    [
      exchange,
      async (p) => {
        if (deviceSession === undefined) throw new Error("no session from 1a to exchange");
        const port = await freePort();
        const resource = `http://127.0.0.1:${port}/api`;
        resourceServer = createServer(async (request, response) => {
          const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1];
          try {
            if (token === undefined) throw new Error("no bearer token");
            const { payload } = await jwtVerify(token, jwks, {
              issuer: as.issuer,
              audience: resource,
              typ: "at+jwt",
            });
            response.writeHead(200, { "Content-Type": "application/json" });
            response.end(JSON.stringify({ sub: payload.sub, act: payload.act }));
          } catch (error) {
            response.writeHead(401, {
              "WWW-Authenticate": `Bearer error="invalid_token", error_description="${error.code ?? "invalid"}"`,
            });
            response.end();
          }
        });
        await new Promise((r) => resourceServer.listen(port, "127.0.0.1", r));
        const callApi = async (token) => {
          const answer = await fetch(resource, { headers: { Authorization: `Bearer ${token}` } });
          return {
            status: answer.status,
            body: answer.ok ? await answer.json() : await answer.text(),
            www: answer.headers.get("WWW-Authenticate"),
          };
        };

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

        // What the exchange refuses.
        const wider = await refusal(exchangeFor({ ...fields, scope: `${SCOPE} profile` }));
        p.check(wider === "invalid_scope", `a scope wider than the subject token's: invalid_scope`, wider);
        const noTarget = await refusal(
          exchangeFor({ subject_token: subjectToken, subject_token_type: ACCESS_TOKEN_TYPE }),
        );
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

        // 4b, on the same subject token, before the session ends.
        const many = await Promise.all(Array.from({ length: 20 }, () => exchangeRequest(fields)));
        const statuses = many.map((r) => r.status);
        const bodies = await Promise.all(many.map((r) => r.json()));
        const jtis = new Set(bodies.map((b) => b.access_token && decodeJwt(b.access_token).jti));
        const usable = await Promise.all(bodies.map((b) => callApi(b.access_token)));
        exchangeRace.check(
          statuses.every((s) => s === 200) && jtis.size === 20,
          `20 exchanges at once: ${statuses.filter((s) => s === 200).length} × 200, ${jtis.size} distinct tokens`,
          JSON.stringify(statuses),
        );
        exchangeRace.check(
          usable.every((u) => u.status === 200),
          `the resource server accepts all ${usable.filter((u) => u.status === 200).length}`,
        );

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
        const raced = await introspect(bodies[0].access_token);
        p.check(raced.active === false, `and of one of the twenty: inactive too`);
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
        const stillSigned = await callApi(exchanged.access_token);
        p.log(
          `(a resource server that only checks the signature still answers ${stillSigned.status} until exp; one that must see revocation at once introspects)`,
        );
      },
    ],
  ]);
  console.log(exchangeRace.lines.join("\n"));

  // Last, since it throttles this address at /device for a minute: wrong user codes.
  const guessing = part("5. wrong user codes from one address (USER_CODE_LIMITER: 10 a minute)");
  await runParts([
    [
      guessing,
      async (p) => {
        const live = await post("/oauth2/device_authorization", { client_id: publicClient.client_id, scope: SCOPE });
        const type = async (code) => {
          const answer = await fetch(`${base}/device?user_code=${code}`, { redirect: "manual" });
          await answer.arrayBuffer();
          return answer.status;
        };
        // Codes of the right shape that no device holds (one in 2.56 × 10^10 could clash).
        const wrong = Array.from({ length: 11 }, (_, i) => `ZZZZ-ZZZ${"BCDFGHJKLMN"[i]}`).filter(
          (code) => code !== live.body.user_code,
        );
        const statuses = [];
        for (const code of wrong) statuses.push(await type(code));
        p.check(
          statuses.slice(0, 10).every((s) => s === 400) && statuses.slice(10).every((s) => s === 429),
          `${statuses.length} wrong codes: ${statuses.slice(0, 10).length} × 400 ("That code is not valid"), then 429 ("Too many wrong codes")`,
          statuses.join(" "),
        );
        const right = await type(live.body.user_code);
        p.log(
          `then the right code from the same address: ${right}` +
            (right === 302 ? " (handed to the login: a throttled address's codes are still looked up)" : ""),
        );
      },
    ],
  ]);
} catch (error) {
  failed++;
  console.log(`FAIL ${error?.stack ?? error}`);
} finally {
  resourceServer?.close();
  await server.stop();
}

console.log(
  `\ndevice flow and token exchange against wrangler dev: ${failed === 0 ? "passed" : "FAILED"}, ${passed} checks passed, ${failed} failed, in ${seconds()} s`,
);
process.exit(failed === 0 ? 0 : 1);
