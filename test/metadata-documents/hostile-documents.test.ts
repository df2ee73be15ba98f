/**
 * A document host that misbehaves costs Baton a bounded fetch and nothing more: a server that
 * never answers, trickles, redirects, sends 10 MB, garbage or a document for another client
 * makes an unknown client, quickly, at `/oauth2/authorize` (the 400 page) and at the token
 * endpoint (`invalid_client`). And a `client_id` that is not exactly a document URL is not
 * fetched at all.
 */
import { describe, expect, it } from "vitest";
import { expectInvalidClient } from "../http/support-token-endpoint";
import { authorizationQuery } from "../support/code-flow";
import { documentServer, documentUrl, requestsFor, withDocuments } from "../support/metadata-documents";
import { callerWith } from "../support/worker";

const UNKNOWN_CLIENT = "The client is not registered.";
/** The fetch gives up after 3 s; a refusal must come well within this. */
const QUICKLY_MS = 5_000;

async function expectUnknownClientPage(response: Response): Promise<void> {
  const html = await response.text();
  expect(response.status).toBe(400);
  expect(response.headers.get("Location")).toBeNull();
  expect(response.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
  expect(html).toContain(UNKNOWN_CLIENT);
}

async function authorizeAs(clientId: string, caller = withDocuments): Promise<Response> {
  const { query } = await authorizationQuery({ client_id: clientId });
  return caller(`/oauth2/authorize?${new URLSearchParams(query)}`);
}

function tokenRequestAs(clientId: string, caller = withDocuments): Promise<Response> {
  return caller("/oauth2/token", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "authorization_code", code: "x", client_id: clientId }),
  });
}

/** Runs `request` and returns its answer and how long it took. */
async function timed(request: () => Promise<Response>): Promise<{ response: Response; elapsed: number }> {
  const started = Date.now();
  const response = await request();
  return { response, elapsed: Date.now() - started };
}

const HOSTILE: [string, string][] = [
  ["never answers", "hang"],
  ["sends the start of a body, then nothing", "trickle"],
  ["redirects to a good document", "redirect"],
  ["streams 10 MB", "huge"],
  ["declares and streams 10 MB", "huge-declared"],
  ["answers with something that is not JSON", "garbage"],
  ["answers with a JSON array", "array"],
  ["answers with another client_id", "wrong-client-id"],
  ["answers 404", "not-found"],
];

describe("a document host that misbehaves", () => {
  it.concurrent.each(HOSTILE)("makes an unknown client at /oauth2/authorize when it %s", async (_label, behaviour) => {
    const clientId = documentUrl(behaviour);
    const { response, elapsed } = await timed(() => authorizeAs(clientId));
    await expectUnknownClientPage(response);
    expect(elapsed).toBeLessThan(QUICKLY_MS);
    expect(await requestsFor(clientId)).toBe(1);
  });

  it.concurrent.each(HOSTILE)("makes invalid_client at the token endpoint when it %s", async (_label, behaviour) => {
    const clientId = documentUrl(behaviour);
    const { response, elapsed } = await timed(() => tokenRequestAs(clientId));
    await expectInvalidClient(response);
    expect(elapsed).toBeLessThan(QUICKLY_MS);
    expect(await requestsFor(clientId)).toBe(1);
  });

  it("gives up on a host that never answers after about 3 seconds", async () => {
    const { response, elapsed } = await timed(() => authorizeAs(documentUrl("hang")));
    await expectUnknownClientPage(response);
    expect(elapsed).toBeGreaterThanOrEqual(2_900);
    expect(elapsed).toBeLessThan(QUICKLY_MS);
  });

  it("never follows a redirect", async () => {
    const clientId = documentUrl("redirect");
    await expectUnknownClientPage(await authorizeAs(clientId));
    expect(await requestsFor(clientId)).toBe(1);
    expect(await requestsFor(clientId.replace("/redirect/", "/good/"))).toBe(0);
  });
});

/** The control of every refusal below: the exact document URL itself names a client. */
async function expectAcceptedOnce(url: string, caller = withDocuments): Promise<void> {
  const response = await authorizeAs(url, caller);
  expect(response.status).toBe(302);
  await response.body?.cancel();
  expect(await requestsFor(url)).toBe(1);
}

describe("client_ids that are not exactly a document URL", () => {
  it.each<[string, (url: string) => string]>([
    ["with a fragment", (url) => `${url}#x`],
    ["with an empty fragment", (url) => `${url}#`],
    ["with a user name", (url) => url.replace("http://", "http://user@")],
    ["with an empty userinfo", (url) => url.replace("http://", "http://@")],
    ["with an upper-case scheme", (url) => url.replace("http://", "HTTP://")],
    ["with a dot segment", (url) => url.replace("/good/", "/good/./")],
    ["with an encoded dot segment", (url) => url.replace("/good/", "/x/%2e%2e/good/")],
    ["with a trailing space", (url) => `${url} `],
    ["on localhost rather than 127.0.0.1", (url) => url.replace("127.0.0.1", "localhost")],
  ])("fetches nothing for a document URL %s, and knows no such client", async (_label, change) => {
    const url = documentUrl("good");
    await expectUnknownClientPage(await authorizeAs(change(url)));
    await expectInvalidClient(await tokenRequestAs(change(url)));
    expect(await requestsFor(url)).toBe(0);
    await expectAcceptedOnce(url);
  });

  it("fetches nothing for the server's root, which has no path", async () => {
    await expectUnknownClientPage(await authorizeAs(`${documentServer()}/`));
    await expectAcceptedOnce(documentUrl("good"));
  });

  it("fetches nothing over plain http while CLIENT_METADATA_ALLOW_LOOPBACK is unset", async () => {
    const strict = callerWith({
      CLIENT_ID_METADATA_DOCUMENTS: "true",
      LOGIN_URL: "https://login.example/start",
      CLIENT_METADATA_ALLOW_LOOPBACK: "",
    });
    const url = documentUrl("good");
    await expectUnknownClientPage(await authorizeAs(url, strict));
    await expectInvalidClient(await tokenRequestAs(url, strict));
    expect(await requestsFor(url)).toBe(0);
    await expectAcceptedOnce(url);
  });
});
