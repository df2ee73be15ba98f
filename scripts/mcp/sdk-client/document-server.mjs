// Client ID Metadata Documents for the MCP SDK check, served on 127.0.0.1 (Baton accepts a
// loopback document only with CLIENT_METADATA_ALLOW_LOOPBACK). It counts the fetches of each
// document, so that a path can prove Baton read the document rather than trusting the client_id.
import { createServer } from "node:http";

/** Starts the server on a free port; resolves `{ publish, fetches, stop }`. */
export async function startDocumentServer() {
  const published = new Map();
  const hits = new Map();
  const server = createServer((req, res) => {
    const path = new URL(req.url, "http://127.0.0.1").pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const document = published.get(path);
    if (req.method !== "GET" || document === undefined) return res.writeHead(404).end();
    res
      .writeHead(200, { "Content-Type": "application/json", "Cache-Control": "max-age=300" })
      .end(JSON.stringify(document));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    /**
     * Publishes `make(url)` at `path`; returns the document's URL (the client_id). The document
     * is made from its URL because it must name itself as `client_id`.
     */
    async publish(path, make) {
      const url = origin + path;
      published.set(path, await make(url));
      return url;
    },
    /** How often `path` was asked for. */
    fetches: (path) => hits.get(path) ?? 0,
    stop: () => new Promise((resolve) => server.close(resolve).closeAllConnections()),
  };
}
