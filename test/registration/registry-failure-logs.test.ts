/**
 * A KV write that fails in a client's registry object loses nothing: a login the grant has
 * accepted keeps its code and the object writes KV again later, and an alarm whose KV call
 * failed wakes again on its own. Each failure is one warn line with the error's name only.
 */
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { captureConsoleLines } from "../support/console-capture";
import { complete, startAuthorization } from "../support/code-flow";
import { kvExpiration, objectOf, registerPublicClient, registry, waitSeconds } from "./registration-support";

const consoleLines = captureConsoleLines();

afterEach(() => {
  vi.useRealTimers();
});

/** Makes KV refuse the next put of `key` (the Worker and the objects share this namespace's prototype). */
function failNextPut(key: string): () => void {
  const prototype = Object.getPrototypeOf(env.CLIENTS) as KVNamespace;
  const original = prototype.put;
  let failed = false;
  prototype.put = function (this: KVNamespace, ...args: Parameters<KVNamespace["put"]>) {
    if (!failed && args[0] === key) {
      failed = true;
      return Promise.reject(new TypeError("KV PUT failed: 503 Service Unavailable"));
    }
    return original.apply(this, args);
  } as KVNamespace["put"];
  return () => {
    prototype.put = original;
  };
}

/** The warn lines the registry wrote, parsed. */
function registryWarnings(): Record<string, unknown>[] {
  return consoleLines()
    .filter((line) => line.includes("client registry"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("a client registry's KV write that fails", () => {
  it("at a login's confirm keeps the login, and the alarm keeps the registration later", async () => {
    const client = await registerPublicClient();
    const key = `client:${client.client_id}`;
    const started = await startAuthorization(client, { scope: "openid" });
    const restore = failNextPut(key);
    try {
      const response = await complete(started.id);
      expect(response.status).toBe(200);
      await response.body?.cancel();
    } finally {
      restore();
    }
    expect(await kvExpiration(client.client_id)).toEqual(expect.any(Number));
    expect((await objectOf(client.client_id)).keys).toEqual(["adoption"]);
    expect(registryWarnings()).toEqual([
      { level: "warn", message: "client registry write failed", detail: "TypeError" },
    ]);
    waitSeconds(61);
    expect(await runDurableObjectAlarm(registry(client.client_id))).toBe(true);
    expect(await kvExpiration(client.client_id)).toBeUndefined();
    expect(await objectOf(client.client_id)).toEqual({ alarm: null, keys: ["owned", "record"] });
  });

  it("in the alarm wakes it again a minute on, and the next one finishes the work", async () => {
    const client = await registerPublicClient();
    const key = `client:${client.client_id}`;
    const started = await startAuthorization(client, { scope: "openid" });
    const stored = (await env.CLIENTS.get(key))!;
    // A login completed where KV shows nothing yet: the object is to adopt the record later.
    await env.CLIENTS.delete(key);
    const completed = await complete(started.id);
    expect(completed.status).toBe(200);
    await completed.body?.cancel();
    await env.CLIENTS.put(key, stored);
    waitSeconds(61);
    const restore = failNextPut(key);
    try {
      expect(await runDurableObjectAlarm(registry(client.client_id))).toBe(true);
    } finally {
      restore();
    }
    const after = await objectOf(client.client_id);
    expect(after.keys).toEqual(["adoption"]);
    expect(Math.abs(after.alarm! - (Date.now() + 60_000))).toBeLessThan(2_000);
    expect(registryWarnings()).toEqual([
      { level: "warn", message: "client registry alarm failed", detail: "TypeError" },
    ]);
    vi.setSystemTime(Date.now() + 61_000);
    expect(await runDurableObjectAlarm(registry(client.client_id))).toBe(true);
    expect(await kvExpiration(client.client_id)).toBeUndefined();
    expect(await objectOf(client.client_id)).toEqual({ alarm: null, keys: ["owned", "record"] });
  });
});
