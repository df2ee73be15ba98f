// Serves the browser check's single-page app on 127.0.0.1: one HTML page for every path (the
// app reads `location.pathname`), with the issuer and client id inline, and the app bundled by
// esbuild from spa.js with oidc-client-ts.
import { createServer } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));

/** Bundles the app once: an ES module for the browser. */
async function bundle() {
  const result = await build({
    entryPoints: [join(here, "spa.js")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0].text;
}

function page(config) {
  // `<` would end the script element early; JSON keeps the rest as it is.
  const json = JSON.stringify(config).replace(/</g, "\\u003c");
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Browser check</title></head>
<body data-state="loading">
<script id="config" type="application/json">${json}</script>
<script type="module" src="/app.js"></script>
</body>
</html>
`;
}

/**
 * Starts the app server on `port`; `config` (issuer, clientId) is read when each page is served,
 * so it may be filled in after the server is listening.
 * @returns {Promise<{ origin: string, close: () => Promise<void> }>}
 */
export async function startAppServer(port, config) {
  const script = await bundle();
  const server = createServer((request, response) => {
    const path = new URL(request.url, "http://app").pathname;
    if (path === "/app.js") {
      response.writeHead(200, { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "no-store" });
      return response.end(script);
    }
    if (path === "/favicon.ico") {
      response.writeHead(404);
      return response.end();
    }
    response.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
    response.end(page(config));
  });
  await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
