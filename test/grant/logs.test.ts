/**
 * What the refresh_token grant writes to the log: enough for an operator to see a reuse and
 * which grant it hit, and never a token, a secret or a personal claim.
 */
import { describe, expect, it } from "vitest";
import { registerClient } from "../support/clients";
import { ALICE, ageFamily, startFamily } from "../support/families";
import { refresh } from "../support/token-requests";
import { captureConsoleLines } from "../support/console-capture";

const consoleLines = captureConsoleLines();

describe("refresh_token grant: logs", () => {
  it("logs no token, secret or personal claim through rotation, replay, refusal and reuse", async () => {
    const client = await registerClient();
    const stranger = await registerClient();
    const family = await startFamily(client.client_id, { nonce: "n-123" });
    const secrets: string[] = [client.client_secret!, stranger.client_secret!, family.tokens.refresh_token];
    secrets.push(family.tokens.access_token, family.tokens.id_token!);

    const first = await (await refresh(client, family.tokens.refresh_token)).json<Record<string, string>>();
    secrets.push(first.refresh_token!, first.access_token!, first.id_token!);
    await refresh(client, family.tokens.refresh_token);
    await refresh(client, first.refresh_token!, { scope: "openid admin" });
    await refresh(stranger, first.refresh_token!);
    await refresh(client, family.tokens.refresh_token.slice(0, -1) + "A");
    await ageFamily(family.sid, 31);
    await refresh(client, family.tokens.refresh_token);

    expect(consoleLines().length).toBeGreaterThan(0);
    const everything = consoleLines().join("\n");
    for (const secret of secrets) {
      expect(everything).not.toContain(secret);
      // Refresh tokens begin with their grant's sid, an identifier that is logged: the part
      // checked is their secret tail.
      expect(everything).not.toContain(secret.slice(-40));
    }
    for (const claim of [ALICE.email!, ALICE.given_name!, ALICE.family_name!, "user_alice", "n-123"]) {
      expect(everything).not.toContain(claim);
    }
  });

  it("logs a reuse with the grant it revoked, so an operator can follow it up", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    await refresh(client, family.tokens.refresh_token);
    await ageFamily(family.sid, 31);

    await refresh(client, family.tokens.refresh_token);

    const reuse = consoleLines()
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.level === "warn");
    expect(reuse).toEqual([expect.objectContaining({ sid: family.sid, client_id: client.client_id })]);
  });
});
