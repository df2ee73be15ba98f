// What the tests of `baton` against wrangler dev share: a real, isolated `wrangler dev` for each
// file, with an HTTP client for it and an empty directory to run in, and the runs of `baton`
// against it with what they must print.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import { startDevServer } from "../../scripts/dev-server.mjs";
import { batonClient } from "../../scripts/hardening/baton-client.mjs";
import { runScript } from "./run-script.mjs";

export const TIME = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ";

/** The server, its HTTP client and the directory `baton` runs in; set by {@link startServerBeforeAll}. */
export let server;
export let http;
export let dir;

/** Starts the server before the calling file's tests, and stops it after them. */
export function startServerBeforeAll() {
  beforeAll(async () => {
    server = await startDevServer();
    http = batonClient(server);
    dir = mkdtempSync(join(tmpdir(), "baton-cli-"));
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
}

/** Runs `baton args` against the server, from an empty directory, BATON_URL and ADMIN_TOKEN set. */
export function baton(args, { env, ...options } = {}) {
  const target = { BATON_URL: server.url, ADMIN_TOKEN: server.adminToken };
  return runScript("cli/baton.mjs", args, { cwd: dir, env: { ...target, ...env }, ...options });
}

/** Expects exit code 0 and nothing on standard error; resolves with standard output. */
export async function ok(args, options) {
  const { code, stdout, stderr } = await baton(args, options);
  expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
  return stdout;
}

/** Expects one line on standard error, nothing on standard output, and exit code 1. */
export async function refused(args, message, options) {
  expect(await baton(args, options)).toEqual({ code: 1, stdout: "", stderr: `baton: ${message}\n` });
}
