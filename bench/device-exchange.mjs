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
// (see storageChanges).
//
//   npm run bench:device -- [--concurrency=10] [--duration=3] [--warmup=0.5] [--rounds=4] [--codes=800]
//                           [--log=info] [--priority]
//
// `--priority` runs the load generator and the server at nice -10 (as `npm run bench -- --priority`
// does, see bench/lib/priority.mjs), for a machine that other jobs share.
//
// `--log=info` keeps Baton's one log line per request, which under wrangler dev costs wrangler's
// Node process about 1.5 ms per line and so narrows every ratio; by default LOG_LEVEL=warn.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { startDevServer } from "../scripts/dev-server.mjs";
import { mapBounded } from "../scripts/map-bounded.mjs";
import { basicAuth, form, httpClient, randomSource } from "./lib/http.mjs";
import { raisePriority } from "./lib/priority.mjs";
import { classify, cpuBetween, machineBusySeconds, sampleCpu } from "./lib/proc.mjs";

const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
const SCOPE = "openid offline_access";
const RESOURCE = "https://api.example.com/v1";
const FORM = { "Content-Type": "application/x-www-form-urlencoded" };
// A device's polling period in the warm cell: the 5 s interval and a margin, since Baton's clock
// counts whole seconds.
const PERIOD_MS = 5_200;
// Cores that other processes may use during a cell for its round to count.
const QUIET = 0.3;

const args = Object.fromEntries(
  process.argv.slice(2).map((arg) => {
    const [key, value] = arg.replace(/^--/, "").split("=");
    return [key, value ?? true];
  }),
);
const concurrency = Number(args.concurrency ?? 10);
const durationMs = Number(args.duration ?? 3) * 1000;
const warmupMs = Number(args.warmup ?? 0.5) * 1000;
const codeCount = Number(args.codes ?? 800);
const roundCount = Math.max(1, Number(args.rounds ?? 4));
const logLevel = args.log === "info" ? "info" : "warn";

const priority = args.priority === true;
// `--priority`: this process (and the load it makes) first, then the server's own session.
if (priority) report(raisePriority());
const server = await startDevServer({ vars: { LOG_LEVEL: logLevel } });
if (priority) report(raisePriority(server.process.pid));

function report(failures) {
  if (failures.length > 0) console.log(`--priority: could not raise the priority (${failures.join(", ")})`);
}
const client = httpClient(server.url, concurrency + 2);
const processes = classify(server.process.pid, { proxyPort: Number(new URL(server.url).port) });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function admin(method, path, body) {
  const answer = await client.request(method, path, {
    headers: { Authorization: `Bearer ${server.adminToken}`, "Content-Type": "application/json" },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${answer.body.slice(0, 200)}`);
  return answer.body === "" ? undefined : JSON.parse(answer.body);
}

async function post(path, fields, headers = {}) {
  const answer = await client.request("POST", path, { headers: { ...FORM, ...headers }, body: form(fields) });
  return { status: answer.status, body: JSON.parse(answer.body) };
}

/** A window of measurement: requests counted in it, CPU by process, other jobs' cores. */
function window() {
  const start = performance.now();
  const before = { cpu: sampleCpu(processes), loadgen: process.cpuUsage(), machine: machineBusySeconds() };
  return {
    close(label, requests) {
      const seconds = (performance.now() - start) / 1000;
      const spent = cpuBetween(before.cpu, sampleCpu(processes));
      const loadgen = process.cpuUsage(before.loadgen);
      const serverSeconds = Object.values(spent).reduce((a, b) => a + b, 0);
      const loadgenSeconds = (loadgen.user + loadgen.system) / 1e6;
      // Cores that every other process on the machine used meanwhile: another job's share.
      const others = Math.max(0, machineBusySeconds() - before.machine - serverSeconds - loadgenSeconds) / seconds;
      const cell = {
        label,
        requests,
        seconds,
        rate: requests / seconds,
        workerCpuMs: ((spent.worker ?? 0) * 1000) / requests,
        serverCpuMs: (serverSeconds * 1000) / requests,
        others,
      };
      console.log(
        `${label.padEnd(22)} ${cell.rate.toFixed(0).padStart(5)} req/s ${cell.workerCpuMs.toFixed(2).padStart(6)} ms worker CPU/req` +
          `  (${requests} in ${seconds.toFixed(1)} s; other jobs ${others.toFixed(1)} cores)`,
      );
      return cell;
    },
  };
}

/**
 * `concurrency` workers in a closed loop: worker `w` sends `request(w)` (undefined: no more work)
 * and `expected(w, response)` says whether the answer is right (a wrong one ends the run). The
 * window opens after the warm-up and closes after `durationMs` or when the work runs out.
 */
async function closedLoop(label, request, expected, { warmup = warmupMs, duration = durationMs } = {}) {
  let counted = 0;
  let measuring;
  let cell;
  let stopping = false;
  let wrong;
  const close = () => {
    stopping = true;
    if (measuring !== undefined && cell === undefined) cell = measuring.close(label, counted);
  };
  const opening = setTimeout(() => (measuring = window()), warmup);
  const closing = setTimeout(close, warmup + duration);
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (!stopping) {
        const spec = request(worker);
        if (spec === undefined) return;
        const response = await client.request("POST", spec.path, { headers: spec.headers, body: spec.body });
        if (!expected(worker, response)) {
          wrong ??= `${response.status} ${response.body.slice(0, 200)}`;
          stopping = true;
          return;
        }
        if (measuring !== undefined && !stopping) counted++;
      }
    }),
  );
  close();
  clearTimeout(opening);
  clearTimeout(closing);
  if (wrong !== undefined) throw new Error(`${label}: an unexpected answer: ${wrong}`);
  if (cell === undefined) throw new Error(`${label}: the work ran out before the window opened`);
  return cell;
}

/** Size and modification time of every file of the server's state. */
function stateFiles() {
  const files = new Map();
  const walk = (path) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        try {
          const { size, mtimeMs } = statSync(full);
          files.set(full, { size, mtimeMs });
        } catch (error) {
          // SQLite removes its -wal and -shm files when an object closes its database.
          if (error.code !== "ENOENT") throw error;
        }
      }
    }
  };
  walk(server.stateDir);
  return files;
}

/** The page numbers of a write-ahead log's frames (SQLite's WAL format: 32-byte header, then frames). */
function walPages(path) {
  let bytes;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    if (error.code === "ENOENT") return [];
    throw error;
  }
  if (bytes.length < 32) return [];
  const pageSize = bytes.readUInt32BE(8);
  const pages = [];
  for (let offset = 32; offset + 24 + pageSize <= bytes.length; offset += 24 + pageSize) {
    pages.push(bytes.readUInt32BE(offset));
  }
  return pages;
}

/**
 * What happened to the objects' databases between two listings. A write appends to a database's
 * write-ahead log: an existing -wal file changes, or a new one holds frames. Opening a database
 * creates its -wal; closing one checkpoints and removes it. Under wrangler dev, Miniflare's
 * wrapper of every Durable Object records the object's name in its own table each time the
 * object starts (one frame of page 2, the same bytes again): counted apart, as a start.
 */
function storageChanges(before, after) {
  const writtenPaths = [];
  let started = 0;
  let closed = 0;
  for (const [path, now] of after) {
    if (!path.endsWith("-wal")) continue;
    const then = before.get(path);
    if (then === undefined) {
      const pages = walPages(path);
      if (pages.length === 1 && pages[0] === 2) started++;
      else if (pages.length > 0) writtenPaths.push(path);
    } else if (then.size !== now.size || then.mtimeMs !== now.mtimeMs) writtenPaths.push(path);
  }
  for (const path of before.keys()) if (path.endsWith("-wal") && !after.has(path)) closed++;
  return { written: writtenPaths.length, writtenPaths, started, closed };
}

async function watched(run) {
  const before = stateFiles();
  const cell = await run();
  const changes = storageChanges(before, stateFiles());
  for (const path of changes.writtenPaths)
    console.log(`${"".padEnd(22)} written: ${path.slice(server.stateDir.length)}`);
  console.log(
    `${"".padEnd(22)} databases written: ${changes.written}; objects started ${changes.started}, closed ${changes.closed}`,
  );
  return { ...cell, changes };
}

try {
  const device = await admin("POST", "/admin/clients", {
    client_name: "Bench device",
    grant_types: [DEVICE_CODE_GRANT, "refresh_token"],
    token_endpoint_auth_method: "none",
    scope: SCOPE,
  });
  const gateway = await admin("POST", "/admin/clients", {
    client_name: "Bench gateway",
    grant_types: [TOKEN_EXCHANGE_GRANT],
    token_endpoint_auth_method: "client_secret_basic",
    scope: SCOPE,
  });
  const gatewayAuth = basicAuth(gateway.client_id, gateway.client_secret);

  const askDevice = async () => {
    // Each from an address of its own: one source is limited to 20 a minute.
    const fields = { client_id: device.client_id, scope: SCOPE };
    const answer = await post("/oauth2/device_authorization", fields, randomSource());
    if (answer.status !== 200) throw new Error(`device authorization: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  const poll = (code) => ({
    path: "/oauth2/token",
    headers: FORM,
    body: form({ grant_type: DEVICE_CODE_GRANT, device_code: code, client_id: device.client_id }),
  });
  const refused = (error) => (_, response) => response.status === 400 && JSON.parse(response.body).error === error;

  // Families for the refresh chains and subject tokens for the exchanges, from the device flow:
  // ask, the person approves through the hand-off, one poll.
  const families = await mapBounded(
    Array.from({ length: 2 * concurrency }, (_, i) => i),
    concurrency,
    async (i) => {
      const asked = await askDevice();
      const handOff = await client.request("GET", `/device?user_code=${asked.user_code}`);
      const id = new URL(handOff.headers.location, server.url).searchParams.get("authorization_request");
      await admin("POST", `/admin/authorizations/${id}/complete`, { subject: `user_${i}` });
      const tokens = await client.request("POST", poll(asked.device_code).path, poll(asked.device_code));
      if (tokens.status !== 200) throw new Error(`device poll: ${tokens.status} ${tokens.body}`);
      return JSON.parse(tokens.body);
    },
  );
  const chains = families.slice(0, concurrency).map((tokens) => tokens.refresh_token);
  const subjects = families.slice(concurrency).map((tokens) => tokens.access_token);

  // Codes nobody will answer: `concurrency` to poll again and again, `codeCount` to poll as
  // devices do. The first pending cell comes after the first round, when the runtime has
  // evicted their objects (after about 10 s idle).
  const making = window();
  const codes = await mapBounded(
    Array.from({ length: concurrency + codeCount }, (_, i) => i),
    concurrency,
    () => askDevice().then((asked) => asked.device_code),
  );
  const deviceRequest = making.close("device request", codes.length);
  const hammered = codes.slice(0, concurrency);
  const devices = codes.slice(concurrency);

  const refreshCell = (label) =>
    closedLoop(
      label,
      (w) => ({
        path: "/oauth2/token",
        headers: FORM,
        body: form({ grant_type: "refresh_token", refresh_token: chains[w], client_id: device.client_id }),
      }),
      (w, response) => {
        if (response.status !== 200) return false;
        chains[w] = JSON.parse(response.body).refresh_token;
        return true;
      },
    );
  const exchangeCell = (label) =>
    closedLoop(
      label,
      (w) => ({
        path: "/oauth2/token",
        headers: { ...FORM, Authorization: gatewayAuth },
        body: form({
          grant_type: TOKEN_EXCHANGE_GRANT,
          subject_token: subjects[w],
          subject_token_type: ACCESS_TOKEN_TYPE,
          resource: RESOURCE,
        }),
      }),
      (_, response) => response.status === 200,
    );
  const pollCell = (label) =>
    watched(async () => {
      // A code's first poll after its interval is not early: spend it just before the loop.
      await Promise.all(hammered.map((code) => client.request("POST", poll(code).path, poll(code))));
      return closedLoop(label, (w) => poll(hammered[w]), refused("slow_down"));
    });

  // Rounds of refresh, exchange and poll (in reverse order every other round, so that drift
  // cancels), each ratio taken within a round. Another job's load comes and goes on a shared
  // machine: a ratio counts only when neither of its two cells saw other processes use more than
  // QUIET cores, and rounds go on (at most two extra) until each ratio has `roundCount` quiet
  // ones. When none is quiet, all count.
  const rounds = [];
  const round = async () => {
    const n = rounds.length + 1;
    const suffix = n === 1 ? "" : ` (round ${n})`;
    const cells = {};
    const order = n % 2 === 1 ? ["refresh", "exchange", "poll"] : ["poll", "exchange", "refresh"];
    for (const kind of order) {
      if (kind === "refresh") cells.refresh = await refreshCell(`refresh${suffix}`);
      if (kind === "exchange") cells.exchange = await exchangeCell(`exchange${suffix}`);
      if (kind === "poll") cells.poll = await pollCell(`poll${suffix}`);
    }
    rounds.push(cells);
  };
  const quiet = (kind) => rounds.filter((r) => r.refresh.others <= QUIET && r[kind].others <= QUIET);
  await round();

  // Each device code once, from objects gone cold, however long that takes; when each was polled
  // is kept for the next cell.
  const lastPoll = new Array(devices.length);
  let next = 0;
  const cold = await watched(() =>
    closedLoop(
      "pending, cold",
      () => {
        if (next >= devices.length) return undefined;
        const index = next++;
        lastPoll[index] = performance.now();
        return poll(devices[index]);
      },
      refused("authorization_pending"),
      { warmup: 0, duration: 120_000 },
    ),
  );

  // Then as devices poll: each code every PERIOD_MS, twice, spread evenly; never sooner than
  // PERIOD_MS after its previous poll.
  const warm = await watched(async () => {
    const begin = performance.now();
    const measuring = window();
    const inFlight = [];
    let wrong;
    for (let k = 0; k < 2 * devices.length; k++) {
      const index = k % devices.length;
      const due = Math.max(begin + (k * PERIOD_MS) / devices.length, lastPoll[index] + PERIOD_MS);
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      lastPoll[index] = performance.now();
      inFlight.push(
        client.request("POST", poll(devices[index]).path, poll(devices[index])).then((response) => {
          if (!refused("authorization_pending")(index, response)) wrong ??= `${response.status} ${response.body}`;
        }),
      );
    }
    await Promise.all(inFlight);
    if (wrong !== undefined) throw new Error(`pending, warm: an unexpected answer: ${wrong}`);
    return measuring.close("pending, warm (paced)", inFlight.length);
  });

  while ((quiet("poll").length < roundCount || quiet("exchange").length < roundCount) && rounds.length < roundCount + 2)
    await round();
  const counted = (kind) => (quiet(kind).length > 0 ? quiet(kind) : rounds);

  const median = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  };
  const fmt = (values) =>
    values.length === 1
      ? values[0].toFixed(2)
      : `${median(values).toFixed(2)} (${values.map((v) => v.toFixed(2)).join(", ")})`;
  // The pending cells and the device requests ran between rounds: against the median refresh
  // of the quiet rounds.
  const quietRefreshes = rounds.filter((r) => r.refresh.others <= QUIET);
  const base = quietRefreshes.length > 0 ? quietRefreshes : rounds;
  const refresh = {
    rate: median(base.map((r) => r.refresh.rate)),
    workerCpuMs: median(base.map((r) => r.refresh.workerCpuMs)),
    serverCpuMs: median(base.map((r) => r.refresh.serverCpuMs)),
  };
  const row = (label, pairs, { rate = true } = {}) =>
    console.log(
      `${label.padEnd(16)} rate ${rate ? fmt(pairs.map(([c, of]) => c.rate / of.rate)) : "(paced)"}` +
        `; worker CPU/req ${fmt(pairs.map(([c, of]) => c.workerCpuMs / of.workerCpuMs))}` +
        `; all server processes' CPU/req ${fmt(pairs.map(([c, of]) => c.serverCpuMs / of.serverCpuMs))}` +
        (pairs.some(([c, of]) => c.others > QUIET || of.others > QUIET) ? "  (another job was busy meanwhile)" : ""),
    );
  console.log(
    `\nRatios to a refresh (concurrency ${concurrency}, ${durationMs / 1000} s cells, LOG_LEVEL=${logLevel}; ` +
      `${rounds.length} rounds, each ratio within a round, the median first; refresh ` +
      `${rounds.map((r) => r.refresh.rate.toFixed(0)).join(", ")} req/s, median of the ${base === rounds ? "" : "quiet "}cells ` +
      `${refresh.rate.toFixed(0)} req/s and ${refresh.workerCpuMs.toFixed(2)} ms worker CPU/req):`,
  );
  row(
    "poll (slow_down)",
    counted("poll").map((r) => [r.poll, r.refresh]),
  );
  row("pending, warm", [[warm, refresh]], { rate: false });
  row("pending, cold", [[cold, refresh]]);
  row(
    "exchange",
    counted("exchange").map((r) => [r.exchange, r.refresh]),
  );
  row("device request", [[deviceRequest, refresh]]);
  const polls = [...rounds.map((r) => r.poll), cold, warm];
  console.log(
    `databases written during the poll cells: ${polls.reduce((sum, c) => sum + c.changes.written, 0)}` +
      ` (${polls.reduce((sum, c) => sum + c.requests, 0)} polls counted)`,
  );
} finally {
  client.close();
  await server.stop();
}
