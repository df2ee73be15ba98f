#!/usr/bin/env node
// What one call to each of the local runtime's bindings costs, alone:
//   npm run bench:bindings [-- --requests=2000] [--concurrency=10] [--rounds=3]
// One small Worker under Miniflare answers each request with a single call (or none, "empty"):
// a KV put of a client-sized record, the same put with an expiration, a rate limit binding's
// limit(), and a write to a Durable Object that did not exist before. Each is run in turn, round
// after round, and printed as requests a second and workerd CPU per request from /proc, beside
// the empty request's. It tells the platform's share of an operation from Baton's: a dynamic
// registration is a rate limit and one expiring KV put (src/clients/register.ts); before
// 2026-12-02 it also created the client's registry object.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { Log, LogLevel, Miniflare, convertV4MiniflareOptions } from "miniflare";
import { freePort } from "../scripts/dev-server.mjs";
import { httpClient } from "./lib/http.mjs";
import { commandLine, cpuSeconds, processTree } from "./lib/proc.mjs";
import { parseArgs, positiveInteger } from "./lib/run-info.mjs";

const args = parseArgs(process.argv.slice(2));
const requests = positiveInteger("requests", args.requests ?? 2000);
const concurrency = positiveInteger("concurrency", args.concurrency ?? 10);
const rounds = positiveInteger("rounds", args.rounds ?? 3);

// The record a registration writes is about 0.4 KB (README, "What a million cost").
const WORKER = `
import { DurableObject } from "cloudflare:workers";
const RECORD = JSON.stringify({ pad: "p".repeat(400) });
export class Fresh extends DurableObject {
  write() { this.ctx.storage.kv.put("record", RECORD); }
}
export default {
  async fetch(request, env) {
    const call = new URL(request.url).pathname.slice(1);
    if (call === "kv-put") await env.KV.put("client:" + crypto.randomUUID(), RECORD);
    else if (call === "kv-put-expiring")
      await env.KV.put("client:" + crypto.randomUUID(), RECORD, { expiration: Math.floor(Date.now() / 1000) + 604800 });
    else if (call === "rate-limit") await env.LIMITER.limit({ key: "127.0.0.1" });
    else if (call === "new-object") await env.FRESH.get(env.FRESH.newUniqueId()).write();
    else if (call !== "empty") return new Response("unknown call", { status: 404 });
    return new Response("ok");
  },
};`;
const CALLS = ["empty", "kv-put", "kv-put-expiring", "rate-limit", "new-object"];

const stateDir = mkdtempSync(join(os.tmpdir(), "baton-bindings-"));
const port = await freePort();
const mf = new Miniflare(
  convertV4MiniflareOptions({
    modules: true,
    script: WORKER,
    compatibilityDate: "2025-09-01",
    host: "127.0.0.1",
    port,
    kvNamespaces: ["KV"],
    durableObjects: { FRESH: { className: "Fresh", useSQLite: true } },
    // As wrangler.toml's REGISTRATION_LIMITER, with a limit no run reaches.
    ratelimits: { LIMITER: { namespace_id: "1001", simple: { limit: 1_000_000_000, period: 60 } } },
    defaultPersistRoot: stateDir,
    kvPersist: true,
    durableObjectsPersist: true,
    cf: false,
    log: new Log(LogLevel.WARN),
  }),
);
const url = await mf.ready;
const workerd = processTree(process.pid).filter((pid) => commandLine(pid).some((part) => part.includes("workerd")));
const workerdCpu = () => workerd.reduce((sum, pid) => sum + (cpuSeconds(pid) ?? 0), 0);
const client = httpClient(url.origin, concurrency);

/** `requests` calls of one kind from `concurrency` chains: their rate and workerd's CPU each. */
async function cell(call) {
  let sent = 0;
  const cpuBefore = workerdCpu();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (sent++ < requests) {
        const response = await client.request("GET", `/${call}`);
        if (response.status !== 200) throw new Error(`${call}: ${response.status} ${response.body}`);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { rate: requests / seconds, cpuMs: ((workerdCpu() - cpuBefore) * 1000) / requests };
}

try {
  console.log(`state under ${stateDir}; ${requests} requests a cell, ${concurrency} chains, ${rounds} rounds`);
  await cell("empty"); // warm-up
  const results = Object.fromEntries(CALLS.map((call) => [call, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const call of CALLS) {
      const figures = await cell(call);
      results[call].push(figures);
      console.log(
        `round ${round}  ${call.padEnd(16)} ${figures.rate.toFixed(0).padStart(6)} req/s  workerd ${figures.cpuMs.toFixed(3)} ms`,
      );
    }
  }
  const median = (values) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)];
  const emptyCpu = median(results.empty.map((figures) => figures.cpuMs));
  console.log("\nmedian of the rounds     req/s   workerd CPU per request   the call's own CPU");
  for (const call of CALLS) {
    const cpu = median(results[call].map((figures) => figures.cpuMs));
    const rate = median(results[call].map((figures) => figures.rate));
    const own = call === "empty" ? "" : `${(cpu - emptyCpu).toFixed(3)} ms`;
    console.log(
      `${call.padEnd(22)} ${rate.toFixed(0).padStart(7)}   ${cpu.toFixed(3).padStart(8)} ms                ${own}`,
    );
  }
} finally {
  client.close();
  await mf.dispose();
  rmSync(stateDir, { recursive: true, force: true });
}
