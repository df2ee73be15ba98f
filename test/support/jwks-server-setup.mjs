/**
 * A vitest globalSetup: a real HTTP server on 127.0.0.1 that serves the JWK Sets behind test
 * clients' `jwks_uri`s, as a client's own server would. Tests run inside workerd, where this Node
 * process cannot be called, so they drive it over HTTP (test/support/jwks-server.ts):
 * `PUT /jwks/NAME?status=S` stores a body that `GET /jwks/NAME` then answers with status S
 * (default 200), and `GET /fetches/NAME` says how many times `/jwks/NAME` was fetched. Its port
 * reaches the tests through vitest's `provide` as `jwksServerPort`. It is plain JavaScript
 * because it runs in Node, like scripts/.
 */
import { createServer } from "node:http";

/** @param {import("node:http").IncomingMessage} request */
async function readBody(request) {
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** @param {import("vitest/node").TestProject} project */
export default async function setup(project) {
  /** @type {Map<string, { status: number, body: Buffer }>} */
  const served = new Map();
  /** @type {Map<string, number>} */
  const fetches = new Map();
  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const [, kind, name] = url.pathname.split("/");
    if (kind === "jwks" && name && request.method === "PUT") {
      served.set(name, { status: Number(url.searchParams.get("status") ?? "200"), body: await readBody(request) });
      response.writeHead(204).end();
    } else if (kind === "jwks" && name && request.method === "GET") {
      fetches.set(name, (fetches.get(name) ?? 0) + 1);
      const entry = served.get(name);
      if (entry === undefined) response.writeHead(404).end();
      else response.writeHead(entry.status, { "Content-Type": "application/json" }).end(entry.body);
    } else if (kind === "fetches" && name && request.method === "GET") {
      response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(fetches.get(name) ?? 0));
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(undefined)));
  project.provide("jwksServerPort", /** @type {import("node:net").AddressInfo} */ (server.address()).port);
  return () => new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve(undefined))));
}
