import { describe, expect, it } from "vitest";
import { refusalMessage } from "../../scripts/cli/admin-api.mjs";
import { GROUPS, commandHelp, groupHelp, main, mainHelp } from "../../scripts/cli/main.mjs";
import { freePort } from "../../scripts/dev-server.mjs";
import { runScript } from "./run-script.mjs";

const TOKEN = "t".repeat(43);

/** Runs `baton args` in this process; resolves with its exit code and output. */
async function baton(args, env = { ADMIN_TOKEN: TOKEN }) {
  let stdout = "";
  let stderr = "";
  const code = await main(args, { env, stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
  return { code, stdout, stderr };
}

describe("baton --help", () => {
  it("lists every group and every command, exit code 0", async () => {
    const { code, stdout, stderr } = await baton(["--help"]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout).toBe(`${mainHelp()}\n`);
    for (const group of GROUPS)
      for (const command of group.commands) expect(stdout).toContain(`baton ${group.name} ${command.name}`);
    expect((await baton(["help"])).stdout).toBe(stdout);
    expect((await baton(["-h"])).stdout).toBe(stdout);
  });

  it("lists a group's commands for baton GROUP --help", async () => {
    const clients = GROUPS.find((group) => group.name === "clients");
    const { code, stdout } = await baton(["clients", "--help"]);
    expect(code).toBe(0);
    expect(stdout).toBe(`${groupHelp(clients)}\n`);
    for (const name of ["list", "create", "get", "update", "delete", "add-secret", "delete-secret"])
      expect(stdout).toContain(`baton clients ${name}`);
  });

  it("lists a command's flags, the common ones too, for baton GROUP COMMAND --help, wherever --help is", async () => {
    const { code, stdout } = await baton(["clients", "create", "--name", "x", "--help"]);
    expect(code).toBe(0);
    expect(stdout.split("\n")[0]).toBe("usage: baton clients create [flags]");
    for (const flag of [
      "--name NAME",
      "--redirect-uri URI",
      "--metadata FILE|-",
      "--url URL",
      "--admin-token TOKEN",
      "--json",
    ])
      expect(stdout).toContain(`  ${flag} `);
    const sessions = GROUPS.find((group) => group.name === "sessions");
    expect(commandHelp(sessions, sessions.commands[0]).split("\n")[0]).toBe(
      "usage: baton sessions list --subject SUBJECT [flags]",
    );
  });

  it("gives the keys commands, which never talk to a server, no --url, --admin-token or --json", async () => {
    const { stdout } = await baton(["keys", "add", "--help"]);
    expect(stdout).toContain("--file FILE");
    expect(stdout).not.toContain("--url");
    expect((await baton(["keys", "generate", "--url", "http://x"])).stderr).toBe(
      "baton: unknown flag --url; usage: baton keys generate [ALG...]\n",
    );
  });
});

describe("baton refuses a usage mistake in one line, exit code 2", () => {
  it.each([
    [[], "no command given; `baton --help` lists them"],
    [["client"], "unknown command client; `baton --help` lists them"],
    [["clients"], "baton clients needs a command: list, create, get, update, delete, add-secret, delete-secret"],
    [
      ["clients", "show"],
      "unknown command clients show; use one of list, create, get, update, delete, add-secret, delete-secret",
    ],
    [["clients", "get"], "missing CLIENT_ID; usage: baton clients get CLIENT_ID [flags]"],
    [["clients", "get", "a", "b"], "unexpected argument b; usage: baton clients get CLIENT_ID [flags]"],
    [["clients", "list", "--limit", "0"], "--limit must be a whole number from 1 up"],
    [["clients", "list", "--limit", "ten"], "--limit must be a whole number from 1 up"],
    [["clients", "create", "--redirect-uri"], "--redirect-uri needs a value; usage: baton clients create [flags]"],
    [["clients", "update", "client_x"], "nothing to change: give metadata flags or --metadata"],
    [["sessions", "list"], "--subject is required; usage: baton sessions list --subject SUBJECT [flags]"],
    [
      ["sessions", "revoke", "user_1"],
      "unexpected argument user_1; usage: baton sessions revoke --subject SUBJECT [flags]",
    ],
    [["grants", "revoke"], "missing SID; usage: baton grants revoke SID [flags]"],
    [["grants", "revoke", "sid", "--url", "file:///x"], "--url must be an http or https URL"],
  ])("baton %j: %s", async (args, message) => {
    expect(await baton(args)).toEqual({ code: 2, stdout: "", stderr: `baton: ${message}\n` });
  });

  it("without an admin token for a remote URL", async () => {
    expect(await baton(["clients", "list", "--url", "https://auth.example.com"], {})).toEqual({
      code: 2,
      stdout: "",
      stderr: "baton: no admin token: pass --admin-token or set ADMIN_TOKEN\n",
    });
  });
});

describe("baton when the server cannot answer, exit code 1", () => {
  it("says it cannot reach the URL, in one line, with no stack trace", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const result = await runScript("cli/baton.mjs", ["clients", "get", "client_x", "--url", url], {
      env: { ADMIN_TOKEN: TOKEN, BATON_URL: "" },
    });
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr: `baton: cannot reach ${url} (ECONNREFUSED): is \`npm run dev\` running?\n`,
    });
  });

  it("names the host it cannot resolve, without the local hint", async () => {
    // .invalid never resolves (RFC 6761 §6.4).
    const { code, stderr } = await baton(["grants", "revoke", "sid", "--url", "https://baton.invalid"]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^baton: cannot reach https:\/\/baton\.invalid \(E[A-Z_]+\)\n$/);
  });
});

describe("refusalMessage", () => {
  it("gives the status, error and error_description of a Baton refusal", () => {
    const body = JSON.stringify({ error: "not_found", error_description: "No such client." });
    expect(refusalMessage(404, body, "GET", "/admin/clients/x")).toBe("404 not_found: No such client.");
    expect(refusalMessage(400, '{"error":"invalid_request"}', "GET", "/")).toBe("400 invalid_request");
  });

  it("says when the answer is not Baton's", () => {
    expect(refusalMessage(502, "<html>Bad gateway</html>", "GET", "/admin/clients")).toBe(
      "502 from GET /admin/clients, not an answer from Baton's admin API",
    );
  });
});
