/** Reading the server-rendered pages in tests, and a Worker with the development login on. */
import { expect } from "vitest";
import { callerWith } from "../support/worker";

/** The headers of every HTML page. */
export function expectPageHeaders(response: Response, status: number) {
  expect(response.status).toBe(status);
  expect(response.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
  expect(response.headers.get("Cache-Control")).toBe("no-store");
  expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
  expect(response.headers.get("Referrer-Policy")).toBe("no-referrer");
}

/** The CSP of pages without a form that leaves the site. */
export const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";

/** What is between `<body>` and `</body>`. */
export async function pageBody(response: Response): Promise<string> {
  const html = await response.text();
  expect(html.startsWith("<!doctype html>\n")).toBe(true);
  const start = html.indexOf("<body>\n") + "<body>\n".length;
  return html.slice(start, html.indexOf("\n</body>"));
}

/** Sends a request to the Worker with `overrides` on top of the test bindings. */
export function fetchWith(overrides: Record<string, string>) {
  // One env object per set of overrides: the configuration is cached per env object.
  return callerWith(overrides);
}
