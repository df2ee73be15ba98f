/**
 * How back-channel logout notices are delivered: a few bounded attempts, each cut off after a
 * few seconds, tried again only when trying again could help, and one log line for the outcome
 * (which is also how these tests know that the sender is done).
 *
 * @see OpenID Connect Back-Channel Logout 1.0 §2.8 (the client's answer)
 */
import { describe, expect, it } from "vitest";
import { receivedAt, receiverUri, waitForRequests, type ReceiverBehaviour } from "../support/back-channel";
import { registerClient } from "../support/clients";
import { captureConsoleLines } from "../support/console-capture";
import { startFamily } from "../support/families";
import { admin } from "../support/worker";

const consoleLines = captureConsoleLines();

/** A grant of a client notified at a receiver that answers as `behaviour` says, then ended. */
async function endGrantNotifying(behaviour: ReceiverBehaviour) {
  const uri = receiverUri(behaviour);
  const client = await registerClient({ backchannel_logout_uri: uri });
  const family = await startFamily(client.client_id);
  expect((await admin("POST", `/admin/grants/${family.sid}/revoke`)).status).toBe(204);
  return { uri, client, family };
}

/** Waits for the one line that says how the notice of grant `sid` went. */
async function outcomeLine(sid: string, timeoutMs = 15_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = consoleLines()
      .map((text) => JSON.parse(text) as Record<string, unknown>)
      .find((entry) => entry.sid === sid && String(entry.message).startsWith("back-channel logout"));
    if (line !== undefined) return line;
    if (Date.now() > deadline) throw new Error(`no back-channel logout line for ${sid}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("back-channel logout: delivery", () => {
  it("logs a delivery with its client, grant and attempts, and never the token", async () => {
    const { uri, client, family } = await endGrantNotifying("ok");

    expect(await outcomeLine(family.sid)).toEqual({
      level: "info",
      message: "back-channel logout delivered",
      client_id: client.client_id,
      sid: family.sid,
      attempts: 1,
      status: 200,
    });
    const [request] = await receivedAt(uri);
    const token = new URLSearchParams(request!.body).get("logout_token")!;
    expect(consoleLines().join("\n")).not.toContain(token.split(".")[2]);
  });

  it("tries a failing client again and logs the attempt that got through", async () => {
    const { uri, family } = await endGrantNotifying("flaky");

    expect(await outcomeLine(family.sid)).toMatchObject({ level: "info", attempts: 3, status: 200 });
    expect(await receivedAt(uri)).toHaveLength(3);
  });

  it("gives up after three attempts at a client that keeps failing", async () => {
    const { uri, client, family } = await endGrantNotifying("down");

    expect(await outcomeLine(family.sid)).toEqual({
      level: "warn",
      message: "back-channel logout not delivered",
      client_id: client.client_id,
      sid: family.sid,
      attempts: 3,
      status: 500,
    });
    expect(await receivedAt(uri)).toHaveLength(3);
  });

  it("does not try again when the client refuses the token", async () => {
    const { uri, family } = await endGrantNotifying("refuses");

    expect(await outcomeLine(family.sid)).toMatchObject({ level: "warn", attempts: 1, status: 400 });
    expect(await receivedAt(uri)).toHaveLength(1);
  });

  it("follows no redirect, and does not try again", async () => {
    const { uri, family } = await endGrantNotifying("moved");

    expect(await outcomeLine(family.sid)).toMatchObject({
      level: "warn",
      attempts: 1,
      status: 307,
      reason: "redirect",
    });
    expect((await receivedAt(uri)).map((request) => request.path)).toEqual([new URL(uri).pathname]);
  });

  it("cuts an attempt off after three seconds and tries again", async () => {
    const { uri, family } = await endGrantNotifying("slow");
    const started = Date.now();

    expect(await outcomeLine(family.sid)).toMatchObject({ level: "info", attempts: 2, status: 200 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(3_000);
    const requests = await waitForRequests(uri, 2);
    expect(requests.map((request) => request.answered)).toEqual([false, true]);
    expect(requests[0]!.body).toBe(requests[1]!.body);
  });
});
