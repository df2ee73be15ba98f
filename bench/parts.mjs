// What each part of Baton's request costs in workerd's CPU, measured inside the runtime: the
// parts Worker (workers/parts/index.ts, Baton plus one route) runs one part many times in a row
// within one request, and the CPU workerd spent meanwhile, over the number of runs, is the part's
// cost. With no load generator, sockets or HTTP parsing in the measured window, parts of 5–20 µs
// that the HTTP benchmark cannot tell from its noise can be ranked.
//   npm run bench:parts [-- --parts=a,b --rounds=1 --repeats=5 --seconds=1]
//   npm run bench:parts -- --profile=PART [--seconds=3 --rows=30]   (a V8 CPU profile of PART's runs)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { devServerSettings, freePort } from "../scripts/dev-server.mjs";
import { printProfile } from "./lib/cpu-profile.mjs";
import { connect } from "./lib/inspector.mjs";
import { httpClient } from "./lib/http.mjs";
import { machineBusySeconds, classify, sampleCpu } from "./lib/proc.mjs";
import { REPO_ROOT, resultsFile } from "./lib/paths.mjs";
import { machine, parseArgs } from "./lib/run-info.mjs";
import { bundle, startMiniflare } from "./lib/servers.mjs";
import { login, registerClients } from "./targets/baton-operations.mjs";
import { FLOOR_SHAPES, ceiling, floorPath } from "./targets/ceiling.mjs";

// Whole operations first, then the steps of a refresh in the order a refresh takes them.
const PARTS = [
  "harness",
  "refresh",
  "client_credentials",
  "introspection",
  "userinfo",
  "request",
  "floor: refresh",
  "floor: client_credentials",
  "floor: introspection",
  "floor: userinfo",
  "token endpoint",
  "token endpoint (client_credentials)",
  "object refresh",
  "floor: object refresh",
  "config",
  "url",
  "request id",
  "read params",
  "client auth",
  "token shape check",
  "sid check",
  "object stub",
  "object call",
  "object call with a write",
  "object call that signs",
  "object call (refresh-sized)",
  "response headers",
  "log line (warn)",
  "grant.refresh",
  "grant.nothing",
  "grant.serial section",
  "grant.family read",
  "grant.token check",
  "grant.token mint",
  "grant.token response",
  "grant.answer seal",
  "grant.family write",
  "grant.family write (committed)",
];

const args = parseArgs(process.argv.slice(2));
const parts = args.parts === undefined ? PARTS : String(args.parts).split(",");
const rounds = Number(args.rounds ?? 1);
const repeats = Number(args.repeats ?? 5);
const seconds = Number(args.seconds ?? 1);

const work = mkdtempSync(join(tmpdir(), "baton-parts-"));
// Baton's own configuration, bindings and all, with the parts Worker as its entry point and the
// floors' bindings (bench/workers/ceiling/wrangler.toml) beside Baton's.
const configPath = join(work, "wrangler.toml");
const entry = join(REPO_ROOT, "bench/workers/parts/index.ts");
const toml = readFileSync(join(REPO_ROOT, "wrangler.toml"), "utf8");
if (!/^main = "src\/index.ts"$/m.test(toml)) throw new Error("wrangler.toml's main is not src/index.ts");
const FLOOR_BINDINGS = `
[[durable_objects.bindings]]
name = "CHAINS"
class_name = "Chain"

[[durable_objects.bindings]]
name = "SESSIONS"
class_name = "Sessions"

[[migrations]]
tag = "floors"
new_sqlite_classes = ["Chain", "Sessions"]

[[ratelimits]]
name = "LIMITER"
namespace_id = "2001"
simple = { limit = 1000000000, period = 60 }

`;
const environments = toml.search(/^\[env\./m);
if (environments < 0) throw new Error("wrangler.toml has no [env.…] section to put the floors' bindings before");
const partsToml = toml.slice(0, environments) + FLOOR_BINDINGS + toml.slice(environments);
writeFileSync(configPath, partsToml.replace(/^main = .*$/m, `main = ${JSON.stringify(entry)}`));

let server;
try {
  const scriptPath = await bundle(configPath, join(work, "dist"));
  // Access tokens that outlive the run: the introspection and userinfo parts reuse one.
  const baton = await devServerSettings({ vars: { LOG_LEVEL: "warn", ACCESS_TOKEN_TTL: "86400" } });
  // The floors sign with the same key as Baton.
  const settings = { ...baton, SIGNING_KEY: JSON.stringify(JSON.parse(baton.SIGNING_KEYS).keys[0]) };
  const inspectorPort = typeof args.profile === "string" ? await freePort() : undefined;
  server = await startMiniflare({ configPath, scriptPath, settings, probe: { path: "/oauth2/jwks" }, inspectorPort });
  const client = httpClient(server.url, 4);
  const clients = await registerClients(client, settings.ADMIN_TOKEN);
  const tokens = await login(client, { ...clients, adminToken: settings.ADMIN_TOKEN });
  const claims = JSON.parse(Buffer.from(tokens.access_token.split(".")[1], "base64url").toString("utf8"));
  // The floors' client record, as their HTTP runs write it, and a chain of theirs.
  const floorClient = { request: (method, path, options) => client.request(method, `/__floor${path}`, options) };
  await ceiling.prepare(server, floorClient);
  const chain = await openFloorChain(floorClient);
  const paths = Object.fromEntries(Object.entries(FLOOR_SHAPES).map(([name, shape]) => [name, floorPath(shape)]));
  let ctx = {
    origin: server.url,
    web: clients.web,
    machine: clients.machine,
    sid: claims.sid,
    refreshToken: tokens.refresh_token,
    accessToken: tokens.access_token,
    floor: { paths, chain: chain.chain, accessToken: chain.access_token },
  };
  const workerd = classify(server.root).filter(({ role }) => role === "worker");
  if (workerd.length === 0) throw new Error("no workerd process found under the Miniflare host");

  /** Runs `part` n times; the CPU workerd and the rest of the machine spent, and the wall time. */
  const run = async (part, n) => {
    const before = { cpu: sampleCpu(workerd).byRole.worker, machine: machineBusySeconds(), at: performance.now() };
    const response = await client.request("POST", "/__parts", {
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ part, n, ctx }),
    });
    const after = { cpu: sampleCpu(workerd).byRole.worker, machine: machineBusySeconds(), at: performance.now() };
    if (response.status !== 200) throw new Error(`part ${part} answered ${response.status}: ${response.body}`);
    ctx = JSON.parse(response.body).ctx;
    const wall = (after.at - before.at) / 1000;
    const cpu = after.cpu - before.cpu;
    return { n, cpu, wall, otherCores: Math.max(0, after.machine - before.machine - cpu) / wall };
  };

  if (inspectorPort !== undefined) {
    const part = args.profile;
    const n = await calibrate(run, part);
    const inspector = await connect(inspectorPort, "baton");
    await inspector.call("Profiler.enable");
    await inspector.call("Profiler.setSamplingInterval", { interval: 50 });
    await inspector.call("Profiler.start");
    const batch = await run(part, n);
    const { profile } = await inspector.call("Profiler.stop");
    inspector.close();
    console.log(`${part}: ${n} runs, workerd CPU ${((batch.cpu * 1e6) / n).toFixed(1)} µs a run (from /proc)\n`);
    printProfile(profile, readFileSync(scriptPath, "utf8").split("\n"), n, Number(args.rows ?? 30));
  } else {
    // The floor's access tokens live 5 minutes: each round takes a fresh chain and token.
    const renewFloor = async () => {
      const fresh = await openFloorChain(floorClient);
      ctx.floor = { ...ctx.floor, chain: fresh.chain, accessToken: fresh.access_token };
    };
    await measureParts(run, renewFloor);
  }
  client.close();
} finally {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
}

/**
 * How many runs of `part` make a batch of about `seconds`: probes of growing size until one lasts
 * a fifth of that, since the first runs (cold code, a cold object) are slower than the rest.
 */
async function calibrate(run, part) {
  for (let n = 50; ; n *= 4) {
    const probe = await run(part, n);
    if (probe.wall >= seconds / 5) return Math.max(50, Math.round((n * seconds) / probe.wall));
  }
}

/** A chain of the floors' own, opened with its first access token: `{ chain, access_token }`. */
async function openFloorChain(floorClient) {
  const started = await floorClient.request("POST", "/start");
  if (started.status !== 200) throw new Error(`the floor's start answered ${started.status}`);
  return JSON.parse(started.body);
}

/** Measures every part, prints the table and saves it in bench/results. */
async function measureParts(run, beforeRound) {
  // Each part's runs per batch, so that a batch lasts about `seconds` (the 10 ms clock of /proc
  // is then 1% of it).
  const runsOf = new Map();
  for (const part of parts) runsOf.set(part, await calibrate(run, part));
  // Rounds take every part in turn, so that a part and its floor run minutes apart at most and
  // a slow spell of the machine lands on both.
  const batches = new Map([...runsOf.keys()].map((part) => [part, []]));
  for (let round = 0; round < rounds; round++) {
    await beforeRound();
    for (const [part, n] of runsOf) {
      for (let i = 0; i < repeats; i++) batches.get(part).push({ round, ...(await run(part, n)) });
    }
  }
  const results = [...batches].map(([part, list]) => summarise(part, runsOf.get(part), list, batches));
  console.log(
    `workerd CPU per run of each part, µs: ${rounds} round(s) of ${repeats} batches of about ${seconds} s each\n`,
  );
  console.log("part".padEnd(30), "median".padStart(8), "min".padStart(8), "max".padStart(8), "÷ floor".padStart(8));
  for (const { part, microseconds: us, overFloor, disturbed } of results) {
    const cells = [us.median, us.min, us.max].map((v) => v.toFixed(1).padStart(8));
    const ratio = (overFloor === undefined ? "" : overFloor.toFixed(2)).padStart(8);
    console.log(part.padEnd(30), ...cells, ratio, disturbed > 0 ? `  (${disturbed} batches disturbed)` : "");
  }
  const file = resultsFile("parts-");
  writeFileSync(file, JSON.stringify({ machine: machine(), rounds, repeats, seconds, results }, null, 2) + "\n");
  console.log(`\nsaved ${file}`);
}

/**
 * A part's µs per run over all its batches, and, for an operation whose floor was measured too
 * (`floor: NAME`), its CPU divided by the floor's (above 1: dearer): the median over rounds of
 * the two medians' ratio.
 */
function summarise(part, runsPerBatch, list, batches) {
  const median = (values) => {
    const sorted = values.toSorted((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  };
  const perRun = (batch) => (batch.cpu * 1e6) / batch.n;
  const values = list.map(perRun);
  const floor = batches.get(`floor: ${part}`);
  let overFloor;
  if (floor !== undefined) {
    const roundsSeen = [...new Set(list.map((b) => b.round))];
    overFloor = median(
      roundsSeen.map(
        (round) =>
          median(list.filter((b) => b.round === round).map(perRun)) /
          median(floor.filter((b) => b.round === round).map(perRun)),
      ),
    );
  }
  return {
    part,
    runsPerBatch,
    microseconds: { median: median(values), min: Math.min(...values), max: Math.max(...values) },
    ...(overFloor !== undefined && { overFloor }),
    disturbed: list.filter((b) => b.otherCores > 0.3).length,
  };
}
