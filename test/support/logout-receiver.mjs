// A vitest globalSetup (it runs in Node, beside the test runner): a client's back-channel logout
// endpoint on 127.0.0.1 that records every logout request it receives and answers as each test
// asks. The tests, inside workerd, get its origin through `inject("logoutReceiver")`, register
// `ORIGIN/logout/BEHAVIOUR/ID` as a client's backchannel_logout_uri, and read what arrived there
// from `ORIGIN/received/ID`, so Baton's own outbound requests are what is checked.
import { createServer } from "node:http";

/** How each behaviour answers its `attempt`-th request (1 for the first). */
const BEHAVIOURS = {
  ok: () => ({ status: 200 }),
  // Back-Channel Logout §2.8: some frameworks answer 204, which counts as success.
  "no-content": () => ({ status: 204 }),
  // Two failures, then success: a notice must be tried again.
  flaky: (attempt) => ({ status: attempt <= 2 ? 503 : 200 }),
  down: () => ({ status: 500 }),
  // The client refuses the token: trying again would change nothing.
  refuses: () => ({ status: 400 }),
  // A redirect must not be followed.
  moved: (_attempt, id) => ({ status: 307, headers: { Location: `/logout/ok/${id}?moved` } }),
  // The first request gets no answer at all, until the sender gives up on it.
  slow: (attempt) => (attempt === 1 ? undefined : { status: 200 }),
};

/** @param {import("vitest/node").TestProject} project */
export default async function startLogoutReceiver(project) {
  /** Requests per ID, in order of arrival. */
  const received = new Map();
  const sockets = new Set();
  const server = createServer((request, response) => {
    const url = new URL(request.url, "http://receiver");
    const [, kind, behaviour, id] = url.pathname.split("/");
    if (request.method === "GET" && kind === "received") {
      const body = JSON.stringify({ requests: received.get(behaviour) ?? [] });
      response.writeHead(200, { "Content-Type": "application/json" });
      return response.end(body);
    }
    const answer = BEHAVIOURS[behaviour];
    if (kind !== "logout" || answer === undefined || id === undefined) {
      response.writeHead(404);
      return response.end();
    }
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      const list = received.get(id) ?? [];
      received.set(id, list);
      const record = {
        method: request.method,
        path: url.pathname + url.search,
        contentType: request.headers["content-type"] ?? null,
        body,
        answered: false,
      };
      list.push(record);
      const reply = answer(list.filter((entry) => entry.path === record.path).length, id);
      if (reply === undefined) return;
      record.answered = true;
      response.writeHead(reply.status, { "Cache-Control": "no-store", ...reply.headers });
      response.end();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  project.provide("logoutReceiver", `http://127.0.0.1:${server.address().port}`);
  return async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  };
}
