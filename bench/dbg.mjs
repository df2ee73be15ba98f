import { spawn } from "node:child_process";
const port = 38123;
const child = spawn(
  "/work/main/node_modules/.bin/wrangler",
  [
    "dev",
    "--config",
    "bench/workers/ceiling/wrangler.toml",
    "--port",
    String(port),
    "--ip",
    "127.0.0.1",
    "--persist-to",
    "/tmp/bx/wdstate",
    "--log-level",
    process.argv[2],
    "--show-interactive-dev-session=false",
    "--var",
    "SIGNING_KEY:{}",
  ],
  {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      X_LOCAL_OBSERVABILITY: "false",
      WRANGLER_SEND_METRICS: "false",
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
    },
  },
);
let out = "";
child.stdout.on("data", (d) => (out += d));
child.stderr.on("data", (d) => (out += d));
for (;;) {
  try {
    await fetch(`http://127.0.0.1:${port}/`);
    break;
  } catch {
    await new Promise((r) => setTimeout(r, 200));
  }
}
const mark = out.length;
for (const way of ["text", "reader", "log"]) {
  const m = out.length;
  for (let i = 0; i < 3; i++)
    await (
      await fetch(`http://127.0.0.1:${port}/trivial?read=${way}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "refresh_token=a.1",
      })
    ).text();
  await new Promise((r) => setTimeout(r, 500));
  console.log(`=== ${way}\n` + out.slice(m).slice(0, 1500));
}
process.kill(-child.pid, "SIGTERM");
