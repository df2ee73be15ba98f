#!/usr/bin/env node
// `npm run test:device`: the device authorization grant (RFC 8628) and token exchange (RFC 8693)
// against a real, isolated `wrangler dev`, driven by two stock clients written elsewhere
// (oauth4webapi and openid-client), with the person's side done over HTTP as a browser and the
// host application would: type the code at /device, get handed to the login, approve or deny
// through the admin API. Then a resource server verifies exchanged tokens with jose, a session
// revocation ends them, two concurrency checks run against the same server, and last the two
// limits per address (wrong user codes, device authorizations).
//
// The device flows poll at the interval the server gives (5 s, 10 s after a slow_down), so they
// run side by side: the whole check takes about 15 s.
//
// The parts are in ./device/; this file starts the server, runs them in their order and gives
// the verdict. Prints each part's lines and a summary; exits 1 on any failure.
import { startDevServer } from "./dev-server.mjs";
import { deviceAuthorizationLimit } from "./device/authorization-limit.mjs";
import { connect } from "./device/baton.mjs";
import {
  approvedWithOauth4webapi,
  deniedWithOauth4webapi,
  selfRegisteredWithOauth4webapi,
} from "./device/oauth4webapi.mjs";
import { approvedWithOpenidClient, deniedWithOpenidClient } from "./device/openid-client.mjs";
import { part, runParts, tally } from "./device/parts.mjs";
import { pollRace } from "./device/races.mjs";
import { tokenExchange } from "./device/token-exchange.mjs";
import { userCodeGuessing } from "./device/user-codes.mjs";

const started = Date.now();
const seconds = () => ((Date.now() - started) / 1000).toFixed(1);

// Nothing here may hang CI: a stuck poll or server ends the check as a failure, and stops the
// server so that no wrangler dev outlives it.
let server;
const watchdog = setTimeout(() => {
  console.error(`device check: no end after 120 s, giving up`);
  (server?.stop("SIGKILL") ?? Promise.resolve()).finally(() => process.exit(1));
}, 120_000);
watchdog.unref();

// Open registration on, for the device that registers itself (part 1c).
server = await startDevServer({ vars: { DYNAMIC_REGISTRATION: "open" } });

try {
  const baton = await connect(server);

  // 1 and 2: four device flows at once (oauth4webapi and openid-client, approved and denied), a
  // self-registered device, and ten polls at the moment of approval.
  const [deviceSession] = await runParts([
    [
      part("1a. device flow with oauth4webapi, approved: slow_down, pending, tokens, refresh"),
      (p) => approvedWithOauth4webapi(p, baton),
    ],
    [part("1b. device flow with oauth4webapi, denied"), (p) => deniedWithOauth4webapi(p, baton)],
    [
      part("2a. device flow with openid-client (discovery, initiate, poll), approved"),
      (p) => approvedWithOpenidClient(p, baton),
    ],
    [part("2b. device flow with openid-client, denied"), (p) => deniedWithOpenidClient(p, baton)],
    [
      part("1c. a device that registers itself with oauth4webapi (RFC 7591), then signs in"),
      (p) => selfRegisteredWithOauth4webapi(p, baton),
    ],
    [part("4a. ten parallel polls of one device code right after its approval"), (p) => pollRace(p, baton)],
  ]);

  // 3 and 4b: a downstream API takes an exchanged token, not the device's own; twenty exchanges
  // of one subject token at once; the session's end ends the exchanged token. 4b runs inside 3
  // (it needs 3's subject token while the session is live) but reads as a part of its own.
  const exchangeRace = part("4b. twenty parallel exchanges of one subject token");
  await runParts([
    [
      part("3. token exchange with oauth4webapi, a resource server verifying with jose"),
      (p) => tokenExchange(p, baton, deviceSession, exchangeRace),
    ],
  ]);
  console.log(exchangeRace.lines.join("\n"));

  // Last, since they throttle this address for a minute: wrong user codes, then device
  // authorizations past their limit.
  await runParts([
    [part("5. wrong user codes from one address (USER_CODE_LIMITER: 10 a minute)"), (p) => userCodeGuessing(p, baton)],
  ]);
  await runParts([
    [
      part("6. device authorizations from one address (DEVICE_AUTHORIZATION_LIMITER: 20 a minute)"),
      (p) => deviceAuthorizationLimit(p, baton),
    ],
  ]);
} catch (error) {
  tally.failed++;
  console.log(`FAIL ${error?.stack ?? error}`);
} finally {
  await server.stop();
}

const { passed, failed } = tally;
console.log(
  `\ndevice flow and token exchange against wrangler dev: ${failed === 0 ? "passed" : "FAILED"}, ${passed} checks passed, ${failed} failed, in ${seconds()} s`,
);
process.exit(failed === 0 ? 0 : 1);
