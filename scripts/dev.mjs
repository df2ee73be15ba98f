#!/usr/bin/env node
// `npm run dev`: writes .dev.vars on first run (a fresh signing key, an admin token, the
// development login page on), never overwrites it, then runs `wrangler dev` with every
// argument passed through (`npm run dev -- --port 8788 --persist-to /tmp/state`).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { generateSigningKey } from "./signing-keys.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const devVars = join(root, ".dev.vars");

if (!existsSync(devVars)) {
  const keys = { keys: [await generateSigningKey("ES256")] };
  const adminToken = randomBytes(32).toString("base64url");
  const lines = [
    "# Local settings for `npm run dev`; never committed. Delete this file to get fresh ones.",
    // Single quotes: dotenv keeps the JSON inside them literally.
    `SIGNING_KEYS='${JSON.stringify(keys)}'`,
    `ADMIN_TOKEN=${adminToken}`,
    "DEV_LOGIN=true",
    "",
  ];
  writeFileSync(devVars, lines.join("\n"), { mode: 0o600 });
  console.log(`baton: wrote ${devVars} with a fresh signing key and an admin token (ADMIN_TOKEN in that file).`);
} else {
  console.log(`baton: using ${devVars} (the admin token is ADMIN_TOKEN there).`);
}

const wrangler = join(root, "node_modules", ".bin", "wrangler");
const child = spawn(wrangler, ["dev", ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
  env: { WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", ...process.env },
});
// Pass stop signals on so that stopping `npm run dev` stops wrangler and workerd too.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
