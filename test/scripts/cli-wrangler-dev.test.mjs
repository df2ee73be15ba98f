// Every `baton clients` command against a real, isolated `wrangler dev`, as an operator runs it,
// and how `baton` finds its server and admin token there. The sessions and grants commands are in
// cli-wrangler-dev-sessions.test.mjs.
import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SHOWN_ONCE } from "../../scripts/cli/clients.mjs";
import { REDIRECT_URI } from "../../scripts/hardening/baton-client.mjs";
import { mapBounded } from "../../scripts/map-bounded.mjs";
import { TIME, baton, dir, ok, refused, server, startServerBeforeAll } from "./support-wrangler-dev.mjs";

startServerBeforeAll();

/** The token endpoint's answer to a client_credentials request with `secret`. */
async function clientCredentials(clientId, secret) {
  const response = await fetch(`${server.url}/oauth2/token`, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      Authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString("base64")}`,
    },
    body: "grant_type=client_credentials",
  });
  await response.arrayBuffer();
  return response.status;
}

describe("baton against wrangler dev", { timeout: 60_000 }, () => {
  // Shared by the steps below, in order: a web client, and a machine client for secrets.
  let web;
  let machine;
  let machineSecretId;
  let newSecret;

  it("clients create registers a web client from flags (--json: the API's answer, secret included)", async () => {
    const stdout = await ok([
      "clients",
      "create",
      "--json",
      "--name",
      "CLI web app",
      "--redirect-uri",
      REDIRECT_URI,
      "--redirect-uri",
      "https://app.example/cb",
      "--grant-type",
      "authorization_code",
      "--grant-type",
      "refresh_token",
      "--auth-method",
      "client_secret_basic",
      "--scope",
      "openid email offline_access",
    ]);
    web = JSON.parse(stdout);
    expect(web).toMatchObject({
      client_name: "CLI web app",
      redirect_uris: [REDIRECT_URI, "https://app.example/cb"],
      grant_types: ["authorization_code", "refresh_token"],
      token_endpoint_auth_method: "client_secret_basic",
      scope: "openid email offline_access",
      client_id: expect.stringMatching(/^client_/),
      client_secret: expect.any(String),
    });
  });

  it("clients create takes --metadata from standard input, shows the secret once and says so", async () => {
    const metadata = { client_name: "CLI machine", grant_types: ["client_credentials"], scope: "read write" };
    const stdout = await ok(["clients", "create", "--metadata", "-", "--organization-id", "org_cli"], {
      input: JSON.stringify(metadata),
    });
    const lines = stdout.trimEnd().split("\n");
    const value = (name) => lines.find((line) => line.startsWith(`${name} `))?.slice(28);
    machine = { client_id: value("client_id"), client_secret: value("client_secret") };
    machineSecretId = value("client_secret_id");
    expect(lines).toEqual([
      `client_id                   ${machine.client_id}`,
      "client_name                 CLI machine",
      "redirect_uris               -",
      "grant_types                 client_credentials",
      "token_endpoint_auth_method  client_secret_basic",
      "scope                       read write",
      "organization_id             org_cli",
      expect.stringMatching(new RegExp(`^client_id_issued_at         ${TIME}$`)),
      expect.stringMatching(new RegExp(`^client_secrets              ${machineSecretId}  created ${TIME}$`)),
      `client_secret_id            ${machineSecretId}`,
      `client_secret               ${machine.client_secret}`,
      "client_secret_expires_at    never",
      "",
      SHOWN_ONCE,
    ]);
    expect(await clientCredentials(machine.client_id, machine.client_secret)).toBe(200);
  });

  it("clients list shows both in a table, and --json gives the API's shape with the cursor at its end", async () => {
    const table = (await ok(["clients", "list"])).trimEnd().split("\n");
    expect(table[0]).toMatch(/^CLIENT ID +NAME +AUTH METHOD +GRANT TYPES$/);
    expect(table).toContainEqual(
      expect.stringMatching(
        new RegExp(`^${web.client_id} +CLI web app +client_secret_basic +authorization_code, refresh_token$`),
      ),
    );
    expect(table).toContainEqual(
      expect.stringMatching(new RegExp(`^${machine.client_id} +CLI machine +client_secret_basic +client_credentials$`)),
    );
    const listed = JSON.parse(await ok(["clients", "list", "--json"]));
    expect(listed.cursor).toBeNull();
    expect(listed.clients.map((client) => client.client_id).sort()).toEqual([web.client_id, machine.client_id].sort());
    expect(JSON.stringify(listed)).not.toContain(web.client_secret);
  });

  it("clients list follows the cursor over several pages, and stops at --limit with the cursor of the rest", async () => {
    const more = await mapBounded(Array.from({ length: 100 }), 8, async (_, i) => {
      const response = await fetch(`${server.url}/admin/clients`, {
        method: "POST",
        headers: { Authorization: `Bearer ${server.adminToken}`, "Content-Type": "application/json" },
        body: JSON.stringify({ client_name: `Filler ${i}`, grant_types: ["client_credentials"], scope: "read" }),
      });
      return (await response.json()).client_id;
    });
    const all = JSON.parse(await ok(["clients", "list", "--json"]));
    expect(all.clients).toHaveLength(102);
    expect(new Set(all.clients.map((client) => client.client_id))).toEqual(
      new Set([web.client_id, machine.client_id, ...more]),
    );
    const firstThree = JSON.parse(await ok(["clients", "list", "--json", "--limit", "3"]));
    expect(firstThree.clients).toHaveLength(3);
    const rest = JSON.parse(await ok(["clients", "list", "--json", "--cursor", firstThree.cursor]));
    expect([...firstThree.clients, ...rest.clients]).toEqual(all.clients);
    const shown = (await ok(["clients", "list", "--limit", "3"])).trimEnd().split("\n");
    expect(shown).toHaveLength(6);
    expect(shown.at(-1)).toBe(`3 shown; more follow: --cursor ${firstThree.cursor}`);
    await mapBounded(more, 8, (id) =>
      fetch(`${server.url}/admin/clients/${id}`, {
        method: "DELETE",
        headers: { Authorization: `Bearer ${server.adminToken}` },
      }),
    );
  });

  it("clients get shows the metadata and secret ids, never a secret; --json is the API's answer", async () => {
    const lines = (await ok(["clients", "get", web.client_id])).trimEnd().split("\n");
    expect(lines.slice(0, 9)).toEqual([
      `client_id                   ${web.client_id}`,
      "client_name                 CLI web app",
      `redirect_uris               ${REDIRECT_URI}`,
      "                            https://app.example/cb",
      "grant_types                 authorization_code",
      "                            refresh_token",
      "token_endpoint_auth_method  client_secret_basic",
      "scope                       openid email offline_access",
      expect.stringMatching(new RegExp(`^client_id_issued_at         ${TIME}$`)),
    ]);
    expect(lines.slice(9)).toEqual([
      expect.stringMatching(new RegExp(`^client_secrets              ${web.client_secret_id}  created ${TIME}$`)),
    ]);
    const answer = await fetch(`${server.url}/admin/clients/${web.client_id}`, {
      headers: { Authorization: `Bearer ${server.adminToken}` },
    });
    expect(await ok(["clients", "get", web.client_id, "--json"])).toBe(`${await answer.text()}\n`);
  });

  it("clients update changes only what is given, a list replacing the old one, null removing a field", async () => {
    const lines = (
      await ok(["clients", "update", web.client_id, "--name", "CLI web app v2", "--redirect-uri", REDIRECT_URI])
    ).split("\n");
    expect(lines.slice(0, 3)).toEqual([
      `client_id                   ${web.client_id}`,
      "client_name                 CLI web app v2",
      `redirect_uris               ${REDIRECT_URI}`,
    ]);
    expect(lines[3]).toMatch(/^grant_types +authorization_code$/);
    const removed = JSON.parse(
      await ok(["clients", "update", machine.client_id, "--json", "--metadata", "-"], {
        input: '{"organization_id": null, "scope": "read"}',
      }),
    );
    expect(removed).not.toHaveProperty("organization_id");
    expect(removed).toMatchObject({ client_name: "CLI machine", scope: "read", grant_types: ["client_credentials"] });
    const got = JSON.parse(await ok(["clients", "get", web.client_id, "--json"]));
    expect(got).toMatchObject({ client_name: "CLI web app v2", redirect_uris: [REDIRECT_URI], scope: web.scope });
  });

  it("clients update passes on the server's refusal of invalid metadata, exit code 1", async () => {
    const { code, stdout, stderr } = await baton([
      "clients",
      "update",
      web.client_id,
      "--redirect-uri",
      "javascript:alert(1)",
    ]);
    expect({ code, stdout }).toEqual({ code: 1, stdout: "" });
    expect(stderr).toMatch(/^baton: 400 invalid_redirect_uri: [^\n]+\n$/);
  });

  it("clients add-secret prints a second secret once; both secrets work", async () => {
    const lines = (await ok(["clients", "add-secret", machine.client_id])).trimEnd().split("\n");
    const newSecretId = lines[0].replace(/^client_secret_id +/, "");
    newSecret = lines[1].replace(/^client_secret +/, "");
    expect(lines).toEqual([
      `client_secret_id  ${newSecretId}`,
      `client_secret     ${newSecret}`,
      "",
      SHOWN_ONCE,
      `The older secrets keep working until you delete them: baton clients delete-secret ${machine.client_id} SECRET_ID`,
    ]);
    expect(newSecretId).not.toBe(machineSecretId);
    expect(await clientCredentials(machine.client_id, machine.client_secret)).toBe(200);
    expect(await clientCredentials(machine.client_id, newSecret)).toBe(200);
    const got = JSON.parse(await ok(["clients", "get", machine.client_id, "--json"]));
    expect(got.client_secrets.map((secret) => secret.client_secret_id)).toEqual([machineSecretId, newSecretId]);
  });

  it("clients delete-secret ends the old secret and keeps the last one (409 conflict)", async () => {
    expect(await ok(["clients", "delete-secret", machine.client_id, machineSecretId])).toBe(
      `Deleted secret ${machineSecretId} of client ${machine.client_id}.\n`,
    );
    expect(await clientCredentials(machine.client_id, machine.client_secret)).toBe(401);
    expect(await clientCredentials(machine.client_id, newSecret)).toBe(200);
    const [{ client_secret_id: last }] = JSON.parse(
      await ok(["clients", "get", machine.client_id, "--json"]),
    ).client_secrets;
    await refused(
      ["clients", "delete-secret", machine.client_id, last],
      "409 conflict: A confidential client must keep at least one secret; add a new one before deleting this one.",
    );
    await refused(
      ["clients", "delete-secret", machine.client_id, machineSecretId],
      "404 not_found: No such client secret.",
    );
  });

  it("clients delete removes a client: it is gone and its credentials stop working", async () => {
    expect(await ok(["clients", "delete", machine.client_id])).toBe(`Deleted client ${machine.client_id}.\n`);
    expect(await ok(["clients", "delete", web.client_id, "--json"])).toBe("");
    expect(await clientCredentials(machine.client_id, newSecret)).toBe(401);
    await refused(["clients", "get", web.client_id], "404 not_found: No such client.");
    expect(JSON.parse(await ok(["clients", "list", "--json"]))).toEqual({ clients: [], cursor: null });
    expect(await ok(["clients", "list"])).toBe("No clients.\n");
  });

  it("takes --url and --admin-token over the environment", async () => {
    const stdout = await ok(["clients", "list", "--url", `${server.url}/`, "--admin-token", server.adminToken], {
      env: { BATON_URL: "http://127.0.0.1:9", ADMIN_TOKEN: "wrong" },
    });
    expect(stdout).toBe("No clients.\n");
  });

  it("reads the admin token from .dev.vars in the directory it is run in, for a local URL", async () => {
    const here = mkdtempSync(join(dir, "project-"));
    writeFileSync(join(here, ".dev.vars"), `DEV_LOGIN=true\nADMIN_TOKEN=${server.adminToken}\n`);
    expect(await ok(["clients", "list"], { cwd: here, env: { ADMIN_TOKEN: "" } })).toBe("No clients.\n");
  });

  it("passes on a refusal of the admin token in one line, exit code 1", async () => {
    await refused(["clients", "list"], "401 invalid_token: A valid admin bearer token is required.", {
      env: { ADMIN_TOKEN: "not-the-admin-token" },
    });
  });
});
