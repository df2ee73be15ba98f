// One admin API call: the bearer token, JSON in and out, and every failure as one line.
import { RefusalError } from "./errors.mjs";
import { isLoopback } from "./target.mjs";

const TIMEOUT_MS = 30_000;

/**
 * The line that says why an answer of `status` with body `text` is a refusal: Baton's RFC 6749
 * §5.2 `error` and `error_description` when it has them.
 */
export function refusalMessage(status, text, method, path) {
  let body;
  try {
    body = JSON.parse(text);
  } catch {}
  if (typeof body?.error === "string") {
    const description = typeof body.error_description === "string" ? `: ${body.error_description}` : "";
    return `${status} ${body.error}${description}`;
  }
  return `${status} from ${method} ${path}, not an answer from Baton's admin API`;
}

/**
 * Calls the admin API at `target`.
 * @returns {(method: string, path: string, body?: unknown) => Promise<{ status: number, text: string, body: any }>}
 *   resolves for a 2xx answer, `body` being its parsed JSON (undefined when empty)
 * @throws {RefusalError} when the server cannot be reached or refuses
 */
export function adminApi({ url, adminToken }, { timeoutMs = TIMEOUT_MS } = {}) {
  return async function request(method, path, body) {
    let response;
    try {
      response = await fetch(url + path, {
        method,
        headers: {
          Authorization: `Bearer ${adminToken}`,
          Accept: "application/json",
          ...(body !== undefined && { "Content-Type": "application/json" }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw unreachable(url, error, timeoutMs);
    }
    let text;
    try {
      text = await response.text();
    } catch (error) {
      throw unreachable(url, error, timeoutMs);
    }
    if (response.status < 200 || response.status > 299)
      throw new RefusalError(refusalMessage(response.status, text, method, path));
    if (text === "") return { status: response.status, text, body: undefined };
    try {
      return { status: response.status, text, body: JSON.parse(text) };
    } catch {
      throw new RefusalError(`${response.status} from ${method} ${path} is not JSON: is ${url} Baton?`);
    }
  };
}

function unreachable(url, error, timeoutMs) {
  if (error?.name === "TimeoutError") return new RefusalError(`no answer from ${url} within ${timeoutMs / 1000} s`);
  const reason = error?.cause?.code ?? error?.cause?.message ?? error?.message;
  const hint = isLoopback(url) ? ": is `npm run dev` running?" : "";
  return new RefusalError(`cannot reach ${url}${reason ? ` (${reason})` : ""}${hint}`);
}

/**
 * {@link adminApi}, resolving to the parsed body alone: what the checks against wrangler dev
 * use to set up their clients.
 */
export function adminJsonApi(target, options) {
  const request = adminApi(target, options);
  return async (method, path, body) => (await request(method, path, body)).body;
}
