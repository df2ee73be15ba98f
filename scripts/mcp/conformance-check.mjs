#!/usr/bin/env node
// `npm run test:mcp-conformance`: the MCP conformance suite's authorization-server scenarios
// (@modelcontextprotocol/conformance `authorization`) against a real, isolated `wrangler dev`.
//
// The suite reads Baton's metadata, then prints an authorization URL for a person to open and
// waits for the browser's callback on http://127.0.0.1:PORT/callback. Here the development login
// is driven over HTTP instead (./browser.mjs), and the resulting redirect is delivered to the
// suite's callback server; the suite then redeems the code itself. The client is public, with
// that redirect URI, registered through the admin API; the suite sends no `scope` and one
// `resource`.
//
// Passes only when the suite exits 0 and every check it recorded is SUCCESS: no failure, no
// warning, nothing skipped. Prints the suite's own output. Only 127.0.0.1 is addressed.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { adminJsonApi } from "../cli/admin-api.mjs";
import { freePort, startDevServer } from "../dev-server.mjs";
import { signIn } from "./browser.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const SUITE_TIMEOUT_MS = 20_000;
const started = performance.now();

const callbackPort = await freePort();
const resource = `http://127.0.0.1:${await freePort()}/mcp`;
const baton = await startDevServer({
  vars: {
    DYNAMIC_REGISTRATION: "open",
    CLIENT_ID_METADATA_DOCUMENTS: "true",
    SCOPES: "mcp:tools",
    RESOURCES: resource,
  },
});
const admin = adminJsonApi(baton);
const outputDir = mkdtempSync(join(tmpdir(), "baton-conformance-"));
let output = "";
let problems = [];
let suiteStatus;
try {
  const client = await admin("POST", "/admin/clients", {
    client_name: "MCP conformance suite",
    redirect_uris: [`http://127.0.0.1:${callbackPort}/callback`],
    grant_types: ["authorization_code", "refresh_token"],
    token_endpoint_auth_method: "none",
    scope: "mcp:tools",
  });
  ({ status: suiteStatus, problems } = await runSuite([
    "authorization",
    "--url",
    baton.url,
    "--client-id",
    client.client_id,
    "--resource",
    resource,
    "--port",
    String(callbackPort),
    "--output-dir",
    outputDir,
  ]));
} catch (error) {
  problems.push(`setup: ${error?.stack ?? error}`);
} finally {
  await baton.stop();
}

const checks = readChecks(outputDir);
rmSync(outputDir, { recursive: true, force: true });
console.log("-- conformance suite output");
console.log(output.trimEnd().replace(/\x1b\[[0-9;]*m/g, ""));
console.log("-- checks recorded");
for (const check of checks) {
  console.log(
    `${check.status.padEnd(8)} ${check.scenario} / ${check.id}${check.errorMessage ? `: ${check.errorMessage}` : ""}`,
  );
}
if (suiteStatus !== 0) problems.push(`the suite exited with ${suiteStatus}`);
if (checks.length === 0) problems.push("the suite recorded no checks");
for (const check of checks.filter((c) => c.status !== "SUCCESS")) {
  problems.push(
    `${check.scenario} / ${check.id} is ${check.status}${check.errorMessage ? `: ${check.errorMessage}` : ""}`,
  );
}
for (const problem of problems) console.log(`problem: ${problem}`);
console.log(
  `mcp conformance (authorization server) against wrangler dev: ${problems.length === 0 ? "passed" : "FAILED"} ` +
    `(${checks.filter((c) => c.status === "SUCCESS").length} of ${checks.length} checks SUCCESS) in ` +
    `${((performance.now() - started) / 1000).toFixed(1)} s`,
);
process.exit(problems.length === 0 ? 0 : 1);

/** Runs the suite, signing in at the URL it prints; resolves with its exit status and problems. */
async function runSuite(args) {
  const found = [];
  const cli = join(root, "node_modules", "@modelcontextprotocol", "conformance", "dist", "index.js");
  const child = spawn(node22(), [cli, ...args], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
  });
  let pending = "";
  const signIns = [];
  child.stdout.on("data", (chunk) => {
    output += chunk;
    pending += chunk;
    const lines = pending.split("\n");
    pending = lines.pop();
    for (const line of lines) {
      const text = line.trim();
      if (text.startsWith(`${baton.url}/oauth2/authorize?`)) signIns.push(answer(text));
    }
  });
  child.stderr.on("data", (chunk) => (output += chunk));
  // Only after the sign-in went wrong does the suite wait: then it waits 5 minutes.
  const answer = async (url) => {
    try {
      const callback = await signIn(url, { subject: "user_conformance", email: "conformance@example.com" });
      if (callback.origin !== `http://127.0.0.1:${callbackPort}`) {
        throw new Error(`Baton redirected to ${callback.origin}${callback.pathname}, not to the suite`);
      }
      // The browser's last step: the suite's callback server receives the authorization response.
      const delivered = await fetch(callback);
      if (!delivered.ok) throw new Error(`the suite's callback answered ${delivered.status}`);
    } catch (error) {
      found.push(`sign-in: ${error?.message ?? error}`);
      child.kill("SIGTERM");
    }
  };
  const timer = setTimeout(() => {
    found.push(`the suite did not finish within ${SUITE_TIMEOUT_MS / 1000} s`);
    child.kill("SIGTERM");
  }, SUITE_TIMEOUT_MS);
  const status = await new Promise((r) => child.on("exit", (code, signal) => r(code ?? signal)));
  clearTimeout(timer);
  await Promise.all(signIns);
  if (signIns.length === 0) found.push("the suite printed no authorization URL");
  return { status, problems: found };
}

/** Every check of every scenario, from the suite's checks.json files. */
function readChecks(dir) {
  const checks = [];
  const walk = (path) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === "checks.json") {
        for (const check of JSON.parse(readFileSync(full, "utf8"))) {
          checks.push({ scenario: scenarioName(path), ...check });
        }
      }
    }
  };
  if (existsSync(dir)) walk(dir);
  return checks;
}

/** `authorization-server-authorization-code-grant-2026-…Z` → `authorization-code-grant`. */
function scenarioName(path) {
  return path
    .split(/[\\/]/)
    .at(-1)
    .replace(/^authorization-server-/, "")
    .replace(/-\d{4}-\d{2}-\d{2}T[\d-]+Z$/, "");
}

/** The suite needs Node 22 (`fs.globSync`): the one npm installed, else this one. */
function node22() {
  const bundled = join(root, "node_modules", ".bin", "node");
  return existsSync(bundled) ? bundled : process.execPath;
}
