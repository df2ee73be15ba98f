// The `baton sessions` and `baton grants` commands against a real, isolated `wrangler dev`, as an
// operator runs them: a user's live sessions listed, one ended, then all of them.
import { beforeAll, describe, expect, it } from "vitest";
import { TIME, http, ok, refused, startServerBeforeAll } from "./support-wrangler-dev.mjs";

const SUBJECT = "user_cli|ada@example.com";

startServerBeforeAll();

describe("baton against wrangler dev", { timeout: 60_000 }, () => {
  // Shared by the steps below, in order: the web client the logins go through, and its sessions.
  let web;
  const families = [];

  // The logins need a web client for the code and refresh grants, with the scope the rows show
  // (openid email offline_access): registered here through the admin API, since the clients
  // commands that create one run in their own file, against a server of their own.
  beforeAll(async () => {
    web = await http.registerClient();
  });

  it("sessions list shows the user's live sessions after two logins through the admin hand-off", async () => {
    families.push(await http.openFamily(web, SUBJECT), await http.openFamily(web, SUBJECT));
    const lines = (await ok(["sessions", "list", "--subject", SUBJECT])).trimEnd().split("\n");
    expect(lines[0]).toMatch(/^SID +CLIENT ID +CREATED +LAST USED +EXPIRES +SCOPE$/);
    const row = new RegExp(`^(\\S+)  ${web.client_id}  ${TIME}  ${TIME}  ${TIME}  openid email offline_access$`);
    expect(
      lines
        .slice(1)
        .map((line) => row.exec(line)?.[1])
        .sort(),
    ).toEqual(families.map(({ sid }) => sid).sort());
    const { grants } = JSON.parse(await ok(["sessions", "list", "--subject", SUBJECT, "--json"]));
    expect(grants.map((grant) => grant.sid).sort()).toEqual(families.map(({ sid }) => sid).sort());
  });

  it("grants revoke ends one session: its tokens stop working, the other session lives on", async () => {
    const [first, second] = families;
    expect(await ok(["grants", "revoke", first.sid])).toBe(`Revoked grant ${first.sid}.\n`);
    expect(await http.isActive(web, first.tokens.access_token)).toBe(false);
    expect(await http.isActive(web, first.tokens.refresh_token)).toBe(false);
    expect(await http.isActive(web, second.tokens.refresh_token)).toBe(true);
    const { grants } = JSON.parse(await ok(["sessions", "list", "--subject", SUBJECT, "--json"]));
    expect(grants.map((grant) => grant.sid)).toEqual([second.sid]);
    await refused(["grants", "revoke", "not-a-sid"], "404 not_found: No such grant.");
  });

  it("sessions revoke signs the user out everywhere", async () => {
    expect(await ok(["sessions", "revoke", "--subject", SUBJECT])).toBe(`Ended every session of ${SUBJECT}.\n`);
    expect(await http.isActive(web, families[1].tokens.refresh_token)).toBe(false);
    expect(await ok(["sessions", "list", "--subject", SUBJECT])).toBe(`No live sessions for ${SUBJECT}.\n`);
    expect(await ok(["sessions", "revoke", "--subject", SUBJECT, "--json"])).toBe("");
  });
});
