import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { metadataFromFlags, readMetadataFile } from "../../scripts/cli/client-metadata.mjs";
import { listClients } from "../../scripts/cli/clients.mjs";
import { RefusalError, UsageError } from "../../scripts/cli/errors.mjs";

let dir;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "baton-metadata-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("metadataFromFlags", () => {
  it("turns each flag into its RFC 7591 field, repeated flags into lists", () => {
    const flags = {
      "--name": "Acme",
      "--redirect-uri": ["https://acme.example/cb", "https://acme.example/cb2"],
      "--grant-type": ["authorization_code", "refresh_token"],
      "--auth-method": "client_secret_post",
      "--scope": "openid email",
      "--organization-id": "org_1",
      "--json": true,
    };
    expect(metadataFromFlags(flags, () => ({}))).toEqual({
      client_name: "Acme",
      redirect_uris: ["https://acme.example/cb", "https://acme.example/cb2"],
      grant_types: ["authorization_code", "refresh_token"],
      token_endpoint_auth_method: "client_secret_post",
      scope: "openid email",
      organization_id: "org_1",
    });
  });

  it("starts from --metadata's object and lets the flags win", () => {
    const file = {
      client_name: "From file",
      redirect_uris: ["https://a/cb"],
      post_logout_redirect_uris: ["https://a/"],
    };
    expect(metadataFromFlags({ "--metadata": "m.json", "--redirect-uri": ["https://b/cb"] }, () => file)).toEqual({
      client_name: "From file",
      redirect_uris: ["https://b/cb"],
      post_logout_redirect_uris: ["https://a/"],
    });
  });

  it("gives an empty object when nothing is given", () => {
    expect(metadataFromFlags({ "--url": "http://x" }, () => ({ never: "read" }))).toEqual({});
  });
});

describe("readMetadataFile", () => {
  it("reads a JSON object from a path relative to where the command was typed, or standard input for -", () => {
    writeFileSync(join(dir, "client.json"), '{"client_name":"Acme"}');
    expect(readMetadataFile("client.json", dir)).toEqual({ client_name: "Acme" });
    expect(readMetadataFile("-", dir, (source) => (source === 0 ? '{"scope":"read"}' : "{}"))).toEqual({
      scope: "read",
    });
  });

  it.each([
    ["missing.json", undefined, "missing.json does not exist"],
    ["broken.json", "{", "broken.json is not JSON"],
    ["list.json", "[]", "list.json must hold a JSON object of client metadata"],
    ["null.json", "null", "null.json must hold a JSON object of client metadata"],
  ])("refuses %s in one line", (name, text, message) => {
    if (text !== undefined) writeFileSync(join(dir, name), text);
    expect(() => readMetadataFile(name, dir)).toThrow(new UsageError(message));
  });

  it("refuses a directory and an unreadable standard input", () => {
    expect(() => readMetadataFile(".", dir)).toThrow(new UsageError(". cannot be read (EISDIR)"));
    const broken = () => {
      throw Object.assign(new Error("x"), { code: "EAGAIN" });
    };
    expect(() => readMetadataFile("-", dir, broken)).toThrow(new UsageError("standard input cannot be read (EAGAIN)"));
  });
});

/** A request function over `all` clients, in pages of `limit` (default 2), recording each path. */
function pages(all, paths = []) {
  return async (method, path) => {
    paths.push(`${method} ${path}`);
    const query = new URL(path, "http://x").searchParams;
    const start = Number(query.get("cursor") ?? 0);
    const end = start + Number(query.get("limit") ?? 2);
    return { body: { clients: all.slice(start, end), cursor: end < all.length ? String(end) : null } };
  };
}

describe("listClients", () => {
  const all = ["a", "b", "c", "d", "e"].map((client_id) => ({ client_id }));

  it("follows the cursor to the end", async () => {
    const paths = [];
    expect(await listClients(pages(all, paths))).toEqual({ clients: all, cursor: null });
    expect(paths).toEqual(["GET /admin/clients", "GET /admin/clients?cursor=2", "GET /admin/clients?cursor=4"]);
  });

  it("stops at the limit, asking for no more than it needs, and gives the cursor of the rest", async () => {
    const paths = [];
    expect(await listClients(pages(all, paths), { limit: 3, pageSize: 2 })).toEqual({
      clients: all.slice(0, 3),
      cursor: "3",
    });
    expect(paths).toEqual(["GET /admin/clients?limit=2", "GET /admin/clients?limit=1&cursor=2"]);
  });

  it("starts at a cursor given", async () => {
    expect((await listClients(pages(all), { cursor: "4" })).clients).toEqual([{ client_id: "e" }]);
  });

  it("stops with a refusal when the server hands out the same cursor twice, or no list", async () => {
    const stuck = async () => ({ body: { clients: [], cursor: "again" } });
    await expect(listClients(stuck)).rejects.toThrow(
      new RefusalError("the server gave the same cursor twice; stopping"),
    );
    await expect(listClients(async () => ({ body: {} }))).rejects.toThrow(
      new RefusalError("GET /admin/clients did not answer a list of clients"),
    );
  });
});
