// A vitest globalSetup (it runs in Node, beside the test runner): an HTTP server on 127.0.0.1
// that serves Client ID Metadata Documents and every way a document host can misbehave. The
// tests, inside workerd, get its origin through `inject("documentServer")` and reach it with
// Baton's own outbound fetch, so nothing on the way is simulated.
//
// GET /documents/BEHAVIOUR/ID... answers as BEHAVIOUR says (see BEHAVIOURS); a document's
// `client_id` is the URL it was requested at, so each test can use a path of its own.
// PUT /documents/custom/ID... with a JSON body {status, headers, body} sets what that path serves.
// GET /requests/BEHAVIOUR/ID... answers how many times /documents/BEHAVIOUR/ID... was requested.
import { createServer } from "node:http";

/** The document the `good` behaviours serve for `url`: a public client of the code flow. */
function goodDocument(url) {
  return {
    client_id: url,
    client_name: "Document App",
    client_uri: "https://app.example/",
    redirect_uris: ["https://app.example/callback"],
    grant_types: ["authorization_code", "refresh_token"],
    token_endpoint_auth_method: "none",
    scope: "openid profile email offline_access",
  };
}

function json(response, status, body, headers = {}) {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

/** 10 MB of JSON-looking bytes, streamed in 64 KiB chunks while the client keeps reading. */
function streamHuge(response, declareLength) {
  const total = 10 * 1024 * 1024;
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  response.writeHead(200, {
    "Content-Type": "application/json",
    ...(declareLength && { "Content-Length": String(total) }),
  });
  let sent = 0;
  const push = () => {
    while (sent < total) {
      sent += chunk.length;
      if (!response.write(chunk)) return void response.once("drain", push);
    }
    response.end();
  };
  response.on("close", () => (sent = total));
  push();
}

const BEHAVIOURS = {
  good: (url, response) => json(response, 200, goodDocument(url)),
  "max-age-600": (url, response) => json(response, 200, goodDocument(url), { "Cache-Control": "public, max-age=600" }),
  "max-age-10": (url, response) => json(response, 200, goodDocument(url), { "Cache-Control": "max-age=10" }),
  "max-age-year": (url, response) => json(response, 200, goodDocument(url), { "Cache-Control": "max-age=31536000" }),
  "no-store": (url, response) => json(response, 200, goodDocument(url), { "Cache-Control": "no-store" }),
  // The first request fails, every later one succeeds: a failure must not be remembered.
  "fail-once": (url, response, count) =>
    count === 1 ? json(response, 503, { error: "unavailable" }) : json(response, 200, goodDocument(url)),
  "not-found": (_url, response) => json(response, 404, { error: "not_found" }),
  redirect: (url, response) => {
    response.writeHead(302, { Location: url.replace("/redirect/", "/good/") });
    response.end();
  },
  // Headers never come.
  hang: () => {},
  // Headers and the start of a body, then nothing.
  trickle: (_url, response) => {
    response.writeHead(200, { "Content-Type": "application/json" });
    response.write('{"client_id":');
  },
  huge: (_url, response) => streamHuge(response, false),
  "huge-declared": (_url, response) => streamHuge(response, true),
  garbage: (_url, response) => {
    response.writeHead(200, { "Content-Type": "application/json" });
    response.end("<html>not json{");
  },
  array: (url, response) => json(response, 200, [goodDocument(url)]),
  "wrong-client-id": (url, response) => json(response, 200, { ...goodDocument(url), client_id: `${url}/other` }),
  "client-secret": (url, response) =>
    json(response, 200, { ...goodDocument(url), token_endpoint_auth_method: "client_secret_basic" }),
  "no-client-name": (url, response) => {
    const { client_name: _dropped, ...document } = goodDocument(url);
    json(response, 200, document);
  },
  "bad-redirect-uri": (url, response) =>
    json(response, 200, {
      ...goodDocument(url),
      redirect_uris: ["https://app.example/callback", "javascript:alert(1)"],
    }),
};

/** @param {import("vitest/node").TestProject} project */
export default async function setup(project) {
  const counts = new Map();
  const custom = new Map();
  const sockets = new Set();
  const server = createServer((request, response) => {
    const url = new URL(request.url, `http://${request.headers.host}`);
    const [, kind, behaviour] = url.pathname.split("/");
    if (kind === "requests") {
      const path = url.pathname.replace(/^\/requests\//, "/documents/");
      return json(response, 200, { count: counts.get(path) ?? 0 });
    }
    if (kind !== "documents") return json(response, 404, { error: "not_found" });
    if (request.method === "PUT" && behaviour === "custom") {
      let text = "";
      request.on("data", (chunk) => (text += chunk));
      request.on("end", () => {
        custom.set(url.pathname, JSON.parse(text));
        json(response, 200, { ok: true });
      });
      return;
    }
    const count = (counts.get(url.pathname) ?? 0) + 1;
    counts.set(url.pathname, count);
    const documentUrl = `http://${request.headers.host}${url.pathname}`;
    if (behaviour === "custom") {
      const answer = custom.get(url.pathname);
      if (answer === undefined) return json(response, 404, { error: "not_found" });
      const text = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
      response.writeHead(answer.status ?? 200, { "Content-Type": "application/json", ...answer.headers });
      return response.end(text);
    }
    const serve = BEHAVIOURS[behaviour];
    if (serve === undefined) return json(response, 404, { error: "not_found" });
    serve(documentUrl, response, count);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  project.provide("documentServer", `http://127.0.0.1:${server.address().port}`);
  return async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  };
}
