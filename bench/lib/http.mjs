// A small keep-alive HTTP/1.1 client on node:http: cheaper per request than fetch, so that the
// load generator takes less of the CPU it shares with the server.
import { randomBytes } from "node:crypto";
import http from "node:http";

/** A client for one origin with at most `connections` sockets, reused across requests. */
export function httpClient(origin, connections) {
  const url = new URL(origin);
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  return {
    /**
     * Sends one request; resolves with `{ status, headers, body }` (body as text).
     * Rejects on a network error or after `timeoutMs`.
     */
    request(method, path, { headers = {}, body, timeoutMs = 30_000 } = {}) {
      return new Promise((resolve, reject) => {
        const payload = body === undefined ? undefined : Buffer.from(body);
        const req = http.request(
          {
            agent,
            host: url.hostname,
            port: url.port,
            method,
            path,
            headers: payload === undefined ? headers : { ...headers, "Content-Length": payload.length },
          },
          (res) => {
            const chunks = [];
            res.on("data", (chunk) => chunks.push(chunk));
            res.on("end", () =>
              resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }),
            );
            res.on("error", reject);
          },
        );
        req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
        req.on("error", reject);
        req.end(payload);
      });
    },
    close() {
      agent.destroy();
    },
  };
}

/** `Basic` credentials for a client id and secret (RFC 6749 §2.3.1 form-encodes both halves). */
export function basicAuth(id, secret) {
  const encode = (text) => encodeURIComponent(text).replace(/%20/g, "+");
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString("base64")}`;
}

/**
 * A random source address in 11.0.0.0/8 (`CF-Connecting-IP`), for a request that Baton limits
 * per source (a registration, a public client's device authorization): one per such request, as
 * on a launch day, so that a run measures the work rather than the limit.
 */
export function randomSource() {
  const bytes = randomBytes(3);
  return { "CF-Connecting-IP": `11.${bytes[0]}.${bytes[1]}.${bytes[2]}` };
}

/** An `application/x-www-form-urlencoded` body. */
export function form(fields) {
  return new URLSearchParams(fields).toString();
}

/** Cookies set by a response, merged into `jar` (name → value; paths and expiry ignored). */
export function keepCookies(jar, headers) {
  for (const line of headers["set-cookie"] ?? []) {
    const [pair] = line.split(";");
    const equals = pair.indexOf("=");
    jar.set(pair.slice(0, equals).trim(), pair.slice(equals + 1).trim());
  }
  return jar;
}

/** The `Cookie` header for a jar. */
export function cookieHeader(jar) {
  return [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
}
