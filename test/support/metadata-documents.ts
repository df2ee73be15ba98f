/**
 * Client ID Metadata Documents served by test/support/document-server.mjs (a vitest globalSetup,
 * in Node), and the Worker with metadata documents on. Each test names a document of its own, so
 * the server's request counts and Baton's caches never mix tests.
 */
import { expect, inject } from "vitest";
import { LOGIN_URL } from "./code-flow";
import { callerWith } from "./worker";

declare module "vitest" {
  export interface ProvidedContext {
    /** The document server's origin, `http://127.0.0.1:PORT`. */
    documentServer: string;
  }
}

/** The Worker with metadata documents on, loopback document URLs allowed, and `LOGIN_URL` set. */
export const withDocuments = callerWith({
  CLIENT_ID_METADATA_DOCUMENTS: "true",
  CLIENT_METADATA_ALLOW_LOOPBACK: "true",
  LOGIN_URL,
});

/** The server's origin. */
export function documentServer(): string {
  return inject("documentServer");
}

/**
 * A fresh document URL of the server's `behaviour` (`good`, `max-age-600`, `hang`, ...: see
 * document-server.mjs); its `client_id` is the URL itself.
 */
export function documentUrl(behaviour: string): string {
  return `${documentServer()}/documents/${behaviour}/${crypto.randomUUID()}`;
}

/** How many times the server was asked for `url`. */
export async function requestsFor(url: string): Promise<number> {
  const response = await fetch(url.replace("/documents/", "/requests/"));
  return (await response.json<{ count: number }>()).count;
}

/** Makes the server answer `url` (a `custom` document URL) with `document` and `headers`. */
export async function serveDocument(
  url: string,
  document: unknown,
  headers: Record<string, string> = {},
  status = 200,
): Promise<void> {
  expect(url).toContain("/documents/custom/");
  const response = await fetch(url, { method: "PUT", body: JSON.stringify({ status, headers, body: document }) });
  expect(response.status).toBe(200);
  await response.body?.cancel();
}

/** The document of the server's `good` behaviour, for `url`. */
export function goodDocument(url: string): Record<string, unknown> {
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
