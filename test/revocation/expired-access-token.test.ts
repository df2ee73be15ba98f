/**
 * Signing out with an access token that has already expired still ends the grant behind it, for
 * a confidential client: the signature and issuer prove the token is Baton's, and the client may
 * hold nothing fresher. A public client's id is no secret, so for it an expired token (found in a
 * log, long after) ends nothing.
 */
import { afterEach, describe, it, vi } from "vitest";
import { registerClient } from "../support/clients";
import { startFamily } from "../support/families";
import { expectFamilyEnded, expectFamilyLive, expectRevocationAnswer, revoke } from "./endpoint-requests";

afterEach(() => {
  vi.useRealTimers();
});

describe("revoking with an expired access token", () => {
  it("ends the grant the token belongs to", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);

    // Ten minutes on, twice the access token's 300 s lifetime (the family itself lives 14 days).
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 600_000);
    await expectRevocationAnswer(await revoke(client, family.tokens.access_token));
    vi.useRealTimers();

    await expectFamilyEnded(client, family.tokens);
  });

  it("leaves another client's grant alone even so", async () => {
    const owner = await registerClient();
    const other = await registerClient();
    const family = await startFamily(owner.client_id);

    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 600_000);
    await expectRevocationAnswer(await revoke(other, family.tokens.access_token));
    vi.useRealTimers();

    await expectFamilyLive(owner, family.tokens);
  });

  it("ends nothing when a public client presents an expired token of its own", async () => {
    const client = await registerClient({ token_endpoint_auth_method: "none" });
    const family = await startFamily(client.client_id);

    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 600_000);
    await expectRevocationAnswer(await revoke(client, family.tokens.access_token));
    vi.useRealTimers();

    await expectFamilyLive(client, family.tokens);
  });

  it("still ends the grant when a public client presents a live token of its own", async () => {
    const client = await registerClient({ token_endpoint_auth_method: "none" });
    const family = await startFamily(client.client_id);

    await expectRevocationAnswer(await revoke(client, family.tokens.access_token));

    await expectFamilyEnded(client, family.tokens);
  });
});
