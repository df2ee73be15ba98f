/**
 * A code presented again soon after its redemption is theft, and ends its grant (RFC 6749
 * §4.1.2); long after, it is only an old callback URL found in a log or a history, so it is
 * merely unknown and ends nothing. The code's hash is dropped at the first rotation past the
 * reuse window, at no extra cost.
 */
import { describe, expect, it } from "vitest";
import { CODE_REUSE_WINDOW } from "../../src/grant/authorization-state";
import { expectTokens } from "../http/support-token-endpoint";
import { registerClient } from "../support/clients";
import { issueCode, redeem } from "../support/code-flow";
import { ageFamily, readFamily } from "../support/families";
import { refresh } from "../support/token-requests";
import { expectInvalidGrant } from "../support/assertions";

describe("authorization_code grant: the reuse window", () => {
  it("is ten minutes", () => {
    expect(CODE_REUSE_WINDOW).toBe(600);
  });

  it("ends the grant when the code comes back inside the window", async () => {
    const client = await registerClient();
    const issued = await issueCode(client);
    await expectTokens(await redeem(client, issued));
    await ageFamily(issued.sid, CODE_REUSE_WINDOW - 30);

    await expectInvalidGrant(await redeem(client, issued));

    expect(await readFamily(issued.sid)).toBeUndefined();
  });

  it("refuses a code replayed after the window without ending the session it started", async () => {
    const client = await registerClient();
    const issued = await issueCode(client);
    const tokens = await expectTokens(await redeem(client, issued));
    await ageFamily(issued.sid, CODE_REUSE_WINDOW + 1);
    const before = await readFamily(issued.sid);

    await expectInvalidGrant(await redeem(client, issued));

    expect(await readFamily(issued.sid)).toEqual(before);
    expect((await refresh(client, tokens.refresh_token as string)).status).toBe(200);
  });

  it("forgets the code's hash at the first rotation past the window, and keeps it before", async () => {
    const client = await registerClient();
    const issued = await issueCode(client);
    const first = await expectTokens(await redeem(client, issued));
    expect((await readFamily(issued.sid))!.codeHash).toEqual(expect.any(String));

    const early = await (await refresh(client, first.refresh_token as string)).json<{ refresh_token: string }>();
    expect((await readFamily(issued.sid))!.codeHash).toEqual(expect.any(String));

    await ageFamily(issued.sid, CODE_REUSE_WINDOW + 1);
    const late = await refresh(client, early.refresh_token);
    expect(late.status).toBe(200);
    expect((await readFamily(issued.sid))!.codeHash).toBeUndefined();
    await expectInvalidGrant(await redeem(client, issued));
    expect(await readFamily(issued.sid)).toBeDefined();
  });
});
