/**
 * The contract's storage promise: client secrets are kept only as hashes and refresh tokens
 * never in plain. Everything Baton stored for this file's requests (every grant object and client
 * KV record made since it began: earlier files' state shares the runtime) is read back raw and
 * searched for every token and secret the test saw.
 */
import { env } from "cloudflare:workers";
import { listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeBase64url, encodeBase64url } from "../../src/encoding/base64url";
import { registerClient, type TestClient } from "../support/clients";
import { ageFamily, startFamily } from "../support/families";
import { refresh } from "../support/token-requests";
import { admin } from "../support/worker";

/** Everything stored, as text (byte arrays spelled in base64url and hex) and as raw byte arrays. */
interface Dump {
  text: string;
  bytes: Uint8Array[];
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

function collect(value: unknown, dump: Dump): void {
  if (value instanceof Uint8Array || value instanceof ArrayBuffer) {
    const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : value;
    dump.bytes.push(bytes);
    dump.text += `\n${encodeBase64url(bytes)}\n${hex(bytes)}\n${new TextDecoder().decode(bytes)}`;
  } else if (typeof value === "string") {
    dump.text += `\n${value}`;
  } else if (Array.isArray(value)) {
    for (const item of value) collect(item, dump);
  } else if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      dump.text += `\n${key}`;
      collect(item, dump);
    }
  } else {
    dump.text += `\n${String(value)}`;
  }
}

function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** The grant objects and KV records that existed before this file's requests. */
const earlier = { objects: new Set<string>(), records: new Set<string>() };

async function noteEarlierState(): Promise<void> {
  for (const id of await listDurableObjectIds(env.GRANTS)) earlier.objects.add(id.toString());
  for (const { name } of (await env.CLIENTS.list()).keys) earlier.records.add(name);
}

/** Reads every grant object's storage and every KV record made since this file began, raw. */
async function dumpEverything(): Promise<{ dump: Dump; userTables: string[]; objects: number }> {
  const dump: Dump = { text: "", bytes: [] };
  const userTables: string[] = [];
  const ids = (await listDurableObjectIds(env.GRANTS)).filter((id) => !earlier.objects.has(id.toString()));
  for (const id of ids) {
    await runInDurableObject(env.GRANTS.get(id), (_instance, state) => {
      for (const [key, value] of state.storage.kv.list()) collect({ [key]: value }, dump);
      // Workerd's own tables (_cf_*) back the kv API read above; anything else would be ours.
      const tables = state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'");
      for (const { name } of tables) if (!name.startsWith("_cf_")) userTables.push(name);
    });
  }
  const listing = await env.CLIENTS.list();
  for (const { name } of listing.keys.filter((key) => !earlier.records.has(key.name))) {
    dump.text += `\n${name}\n${await env.CLIENTS.get(name, "text")}`;
  }
  return { dump, userTables, objects: ids.length };
}

describe("storage holds no token and no secret in plain", () => {
  let client: TestClient;
  let rotatedSecret: string;
  const refreshTokens: string[] = [];
  const otherTokens: string[] = [];

  beforeAll(async () => {
    await noteEarlierState();
    client = await registerClient();
    const added = await admin("POST", `/admin/clients/${client.client_id}/secrets`);
    rotatedSecret = (await added.json<{ client_secret: string }>()).client_secret;
    await registerClient({ token_endpoint_auth_method: "none" });

    // One family rotated a few times, with a replay kept in its retry window.
    const live = await startFamily(client.client_id, { nonce: "n-123" });
    refreshTokens.push(live.tokens.refresh_token);
    otherTokens.push(live.tokens.access_token, live.tokens.id_token!);
    for (let i = 0; i < 3; i++) {
      const body = await (await refresh(client, refreshTokens.at(-1)!)).json<Record<string, string>>();
      refreshTokens.push(body.refresh_token!);
      otherTokens.push(body.access_token!, body.id_token!);
    }
    expect((await refresh(client, refreshTokens.at(-2)!)).status).toBe(200);

    // A second family revoked for reuse, so that an ended family is searched too.
    const revoked = await startFamily(client.client_id);
    const next = await (await refresh(client, revoked.tokens.refresh_token)).json<Record<string, string>>();
    refreshTokens.push(revoked.tokens.refresh_token, next.refresh_token!);
    await ageFamily(revoked.sid, 31);
    expect((await refresh(client, revoked.tokens.refresh_token)).status).toBe(400);
  });

  it("keeps family state only in the object's key-value storage, with no table of its own", async () => {
    const { userTables, objects } = await dumpEverything();

    expect(objects).toBeGreaterThanOrEqual(2);
    expect(userTables).toEqual([]);
  });

  it("stores no refresh token of any generation, nor its MAC, in any form", async () => {
    const { dump } = await dumpEverything();

    expect(dump.text).toContain("family");
    for (const token of refreshTokens) {
      const body = token.slice("rt_".length);
      const bytes = decodeBase64url(body)!;
      const mac = bytes.subarray(20);
      expect(dump.text).not.toContain(token);
      expect(dump.text).not.toContain(body);
      expect(dump.text).not.toContain(encodeBase64url(mac));
      expect(dump.text).not.toContain(hex(mac));
      for (const stored of dump.bytes) {
        expect(containsBytes(stored, mac)).toBe(false);
      }
    }
  });

  it("keeps the replayable answer sealed: no access token, ID token or token response in plain", async () => {
    const { dump } = await dumpEverything();

    for (const token of otherTokens) expect(dump.text).not.toContain(token);
    expect(dump.text).not.toContain("access_token");
    expect(dump.text).not.toContain("n-123");
  });

  it("stores client secrets only as hashes", async () => {
    const { dump } = await dumpEverything();

    expect(dump.text).toContain(`client:${client.client_id}`);
    for (const secret of [client.client_secret!, rotatedSecret]) {
      expect(dump.text).not.toContain(secret);
      expect(dump.text).not.toContain(secret.slice("bsk_".length));
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret)));
      expect(dump.text).toContain(encodeBase64url(digest));
    }
  });
});
