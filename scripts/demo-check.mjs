#!/usr/bin/env node
// `npm run test:demo`: starts a real, isolated `wrangler dev`, runs the demo against it, stops it.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startDevServer } from "./dev-server.mjs";

const started = Date.now();
const server = await startDevServer();
let status = 1;
try {
  const demo = spawn(process.execPath, [join(dirname(fileURLToPath(import.meta.url)), "demo.mjs")], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, BATON_URL: server.url, ADMIN_TOKEN: server.adminToken },
  });
  let output = "";
  demo.stdout.on("data", (chunk) => (output += chunk));
  status = await new Promise((r) => demo.on("exit", (code) => r(code ?? 1)));
  if (status !== 0) console.log(output);
} finally {
  await server.stop();
}
console.log(
  `demo against wrangler dev: ${status === 0 ? "passed" : "FAILED"} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
process.exit(status);
