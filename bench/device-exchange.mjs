#!/usr/bin/env node
// `npm run bench:device`: what a device poll and a token exchange cost next to a refresh, measured
// in one run on one `wrangler dev` (scripts/dev-server.mjs). The load generator shares the
// machine's cores with the server (and with whatever else runs), so the results are ratios to
// the refresh cells of the same run: requests/s in a closed loop at the same concurrency, and
// the CPU the Worker's workerd process spent per request.
//
//   refresh        grant_type=refresh_token by the device client (public) on families the device
//                  flow opened: rotates (one write), signs an access and an ID token
//   exchange       grant_type=token-exchange by a confidential client (Basic), one subject token
//                  per worker: verifies it, reads the session, signs one access token
//   poll           grant_type=device_code on codes nobody answered, polled again and again:
//                  slow_down (the object is in memory; its poll clock lives there, unwritten)
//   pending, warm  the same on other codes, each polled every 5.2 s as a device polls (paced, not
//                  a closed loop): authorization_pending, the object still in memory
//   pending, cold  each of those codes once, long after it was made: authorization_pending from
//                  an object the runtime had evicted, woken and its database opened
//   device request POST /oauth2/device_authorization: two new Durable Objects (grant, user code)
//
// The refresh, exchange and poll cells run in rounds (the pending ones after the first), and
// each ratio is taken within a round, from cells that no other job disturbed where there are
// such; the median of the rounds is the result. Around every poll cell the files of the server's
// state are compared: a poll that wrote would append to its object's SQLite write-ahead log
// (see device-exchange/storage.mjs).
//
//   npm run bench:device -- [--concurrency=10] [--duration=3] [--warmup=0.5] [--rounds=4] [--codes=800]
//                           [--log=info] [--priority]
//
// `--priority` runs the load generator and the server at nice -10 (as `npm run bench -- --priority`
// does, see bench/lib/priority.mjs), for a machine that other jobs share.
//
// `--log=info` keeps Baton's one log line per request, which under wrangler dev costs wrangler's
// Node process about 1.5 ms per line and so narrows every ratio; by default LOG_LEVEL=warn.
//
// The parts are in device-exchange/: the fixtures (clients, families, codes), the meter, the
// storage check, the round and pending cells, and the closing table.
import { startDevServer } from "../scripts/dev-server.mjs";
import { httpClient } from "./lib/http.mjs";
import { raisePriority } from "./lib/priority.mjs";
import { classify } from "./lib/proc.mjs";
import { parseArgs } from "./lib/run-info.mjs";
import { openCodes, openFamilies, registerClients } from "./device-exchange/fixtures.mjs";
import { meter } from "./device-exchange/meter.mjs";
import { pendingCells } from "./device-exchange/pending.mjs";
import { printRatios } from "./device-exchange/report.mjs";
import { roundCells } from "./device-exchange/rounds.mjs";

const args = parseArgs(process.argv.slice(2));
const concurrency = Number(args.concurrency ?? 10);
const durationMs = Number(args.duration ?? 3) * 1000;
const warmupMs = Number(args.warmup ?? 0.5) * 1000;
const codeCount = Number(args.codes ?? 800);
const roundCount = Math.max(1, Number(args.rounds ?? 4));
const logLevel = args.log === "info" ? "info" : "warn";

const priority = args.priority === true;
// `--priority`: this process (and the load it makes) first, then the server's own session.
if (priority) warnUnraised(raisePriority());
const server = await startDevServer({ vars: { LOG_LEVEL: logLevel } });
if (priority) warnUnraised(raisePriority(server.process.pid));

function warnUnraised(failures) {
  if (failures.length > 0) console.log(`--priority: could not raise the priority (${failures.join(", ")})`);
}
const client = httpClient(server.url, concurrency + 2);
const processes = classify(server.process.pid, { proxyPort: Number(new URL(server.url).port) });
const bench = {
  server,
  client,
  concurrency,
  codeCount,
  stateDir: server.stateDir,
  meter: meter({ client, processes, concurrency, warmupMs, durationMs }),
};

try {
  const clients = await registerClients(server, client);
  const families = await openFamilies(bench, clients);
  const { deviceRequest, hammered, devices } = await openCodes(bench, clients);

  // The pending cells come after the first round, when the runtime has evicted the codes'
  // objects; the rounds still wanted come after them.
  const { rounds, round, complete } = roundCells(bench, clients, families, hammered);
  await round();
  const { cold, warm } = await pendingCells(bench, clients, devices);
  await complete(roundCount);

  printRatios({ rounds, cold, warm, deviceRequest }, { concurrency, durationMs, logLevel });
} finally {
  client.close();
  await server.stop();
}
