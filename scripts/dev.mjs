#!/usr/bin/env node
// `npm run dev`: writes .dev.vars on first run (fresh signing keys, a token secret, an admin
// token, the development login page on), later adds only what a newer version needs, then runs
// `wrangler dev` with every argument passed through (`npm run dev -- --port 8788 --persist-to /tmp/state`).
import { spawn } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureDevVars } from "./dev-vars.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const devVars = join(root, ".dev.vars");

const { created, added } = await ensureDevVars(devVars);
if (created) {
  console.log(
    `baton: wrote ${devVars} with fresh signing keys (ES256 signs, RS256 published), a token secret and an admin token (ADMIN_TOKEN in that file).`,
  );
} else if (added.length > 0) {
  console.log(`baton: added ${added.join(", ")} to ${devVars}, which this version needs; the rest is unchanged.`);
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
