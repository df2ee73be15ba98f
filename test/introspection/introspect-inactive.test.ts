/**
 * `POST /oauth2/introspection` on anything not live: `{"active": false}` and nothing more, for
 * every reason alike; the caller must authenticate; introspecting a token never spends it and
 * never counts as its reuse.
 *
 * @see RFC 7662 §2.1, §2.2, §4
 */
import { SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { DESCRIPTION, expectInvalidClient, expectInvalidRequest } from "../http/support-token-endpoint";
import { registerClient, type TestClient } from "../support/clients";
import { ageFamily, grantStub, readFamily, startFamily } from "../support/families";
import { issueCode, redeem } from "../support/code-flow";
import { basicAuth, refresh, tokenRequest } from "../support/token-requests";
import { admin, call } from "../support/worker";
import { accessTokenClaims, signWithConfiguredKey } from "../userinfo/test-tokens";
import {
  clientPost,
  expectFamilyLive,
  expectInactive,
  expectInvalidGrant,
  forgedRefreshToken,
  introspect,
  introspectionBody,
} from "../revocation/endpoint-requests";

const IDLE_TTL = 1_209_600;

let client: TestClient;
let other: TestClient;

beforeAll(async () => {
  client = await registerClient();
  other = await registerClient();
});

describe("introspection: client authentication", () => {
  it("answers 401 invalid_client with its challenge when no credentials come", async () => {
    const family = await startFamily(client.client_id);
    const response = await call("/oauth2/introspection", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: family.tokens.access_token }),
    });

    await expectInvalidClient(response, DESCRIPTION.clientAuthRequired);
  });

  it("answers 401 invalid_client to a wrong secret", async () => {
    const family = await startFamily(client.client_id);
    const response = await call("/oauth2/introspection", {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Authorization: basicAuth(client.client_id, "wrong-secret"),
      },
      body: new URLSearchParams({ token: family.tokens.access_token }),
    });

    await expectInvalidClient(response);
  });

  it("answers 401 invalid_client to a bearer token in place of client credentials", async () => {
    const family = await startFamily(client.client_id);
    const response = await call("/oauth2/introspection", {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Authorization: `Bearer ${family.tokens.access_token}`,
      },
      body: new URLSearchParams({ token: family.tokens.access_token }),
    });

    await expectInvalidClient(response, DESCRIPTION.badBasic);
  });

  it("answers 400 invalid_request when token is missing", async () => {
    await expectInvalidRequest(
      await clientPost("/oauth2/introspection", client, {}),
      "The token parameter is required.",
    );
  });
});

describe("introspection: tokens that are not live", () => {
  it.each([
    ["an unknown refresh token of the right shape", forgedRefreshToken],
    ["a random string", () => crypto.randomUUID()],
    ["a one-character token", () => "x"],
    ["an unsigned JWT", () => "eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0.eyJzdWIiOiJ4In0."],
    ["a token of 10,000 characters", () => "A".repeat(10_000)],
    ["a token outside ASCII", () => "rt_\u00e9\u{1F600}"],
  ])("answers exactly {active: false} to %s", async (_name, token) => {
    await expectInactive(client, token());
  });

  it("answers exactly {active: false} to a refresh token whose MAC was altered", async () => {
    const family = await startFamily(client.client_id);
    const token = family.tokens.refresh_token;
    await expectInactive(client, token.slice(0, -2) + (token.endsWith("AA") ? "BA" : "AA"));
  });

  it("answers exactly {active: false} to an access token past its exp, though its grant is live", async () => {
    const family = await startFamily(client.client_id);
    const now = Math.floor(Date.now() / 1000);
    const expired = await signWithConfiguredKey({
      ...accessTokenClaims(client.client_id, family.sid),
      iat: now - 400,
      exp: now - 100,
    });

    await expectInactive(client, expired);
  });

  it("answers exactly {active: false} to an access token whose payload was changed after signing", async () => {
    const family = await startFamily(client.client_id);
    const [header, , signature] = family.tokens.access_token.split(".");
    const payload = btoa(JSON.stringify({ ...accessTokenClaims(client.client_id, family.sid), sub: "user_mallory" }))
      .replace(/\+/g, "-")
      .replace(/\//g, "_")
      .replace(/=+$/, "");

    await expectInactive(client, `${header}.${payload}.${signature}`);
  });

  it("answers exactly {active: false} to an access token signed by another key under a configured kid", async () => {
    const family = await startFamily(client.client_id);
    const { privateKey } = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
      "sign",
    ])) as CryptoKeyPair;
    const token = await new SignJWT(accessTokenClaims(client.client_id, family.sid))
      .setProtectedHeader({ alg: "ES256", kid: "test-es256", typ: "at+jwt" })
      .sign(privateKey);

    await expectInactive(client, token);
  });

  it("answers exactly {active: false} to both tokens of a revoked family", async () => {
    const family = await startFamily(client.client_id);
    await grantStub(family.sid).revoke();

    await expectInactive(client, family.tokens.access_token);
    await expectInactive(client, family.tokens.refresh_token);
  });

  it("answers exactly {active: false} to both tokens of a family past its idle lifetime", async () => {
    const family = await startFamily(client.client_id);
    await ageFamily(family.sid, IDLE_TTL + 1);

    await expectInactive(client, family.tokens.access_token);
    await expectInactive(client, family.tokens.refresh_token);
  });

  it("answers exactly {active: false} to the access token of a family ended by reuse", async () => {
    const family = await startFamily(client.client_id);
    const rotated = await expectFamilyLive(client, family.tokens);
    await ageFamily(family.sid, 31);
    await expectInvalidGrant(await refresh(client, family.tokens.refresh_token));

    await expectInactive(client, family.tokens.access_token);
    await expectInactive(client, rotated.access_token);
    await expectInactive(client, rotated.refresh_token);
  });

  it("answers exactly {active: false} to an access token whose client was deleted", async () => {
    const doomed = await registerClient();
    const family = await startFamily(doomed.client_id);
    expect((await introspectionBody(await introspect(other, family.tokens.access_token))).active).toBe(true);

    expect((await admin("DELETE", `/admin/clients/${doomed.client_id}`)).status).toBe(204);

    await expectInactive(other, family.tokens.access_token);
  });

  it("answers exactly {active: false} to a machine token whose client was deleted", async () => {
    const machine = await registerClient({ grant_types: ["client_credentials"], redirect_uris: [], scope: "jobs" });
    const issued = await tokenRequest(machine, { grant_type: "client_credentials" });
    const { access_token } = await issued.json<{ access_token: string }>();
    expect((await introspectionBody(await introspect(other, access_token))).active).toBe(true);

    expect((await admin("DELETE", `/admin/clients/${machine.client_id}`)).status).toBe(204);

    await expectInactive(other, access_token);
  });

  it("answers exactly {active: false} to an authorization code, which it leaves redeemable", async () => {
    const issued = await issueCode(client);

    await expectInactive(client, issued.code);

    expect((await redeem(client, issued)).status).toBe(200);
  });

  it("answers exactly {active: false} to an access token naming a sid that is not Baton's shape", async () => {
    const token = await signWithConfiguredKey({ ...accessTokenClaims(client.client_id, "not-a-sid") });
    await expectInactive(client, token);
  });

  it("answers exactly {active: false} to an access token whose sub is not its grant's user", async () => {
    const family = await startFamily(client.client_id);
    const token = await signWithConfiguredKey({
      ...accessTokenClaims(client.client_id, family.sid),
      sub: "user_mallory",
    });
    await expectInactive(client, token);
  });

  it("answers exactly {active: false} to an access token naming another client's grant", async () => {
    const family = await startFamily(client.client_id);
    const token = await signWithConfiguredKey(accessTokenClaims(other.client_id, family.sid));
    await expectInactive(other, token);
  });

  it("answers exactly {active: false} to an ID token", async () => {
    const family = await startFamily(client.client_id);
    await expectInactive(client, family.tokens.id_token!);
  });
});

describe("introspection: refresh tokens are the owner's alone", () => {
  it("answers {active: false} to another client's current refresh token, leaving the family as it was", async () => {
    const family = await startFamily(client.client_id);
    const before = await readFamily(family.sid);

    await expectInactive(other, family.tokens.refresh_token);

    expect(await readFamily(family.sid)).toEqual(before);
    await expectFamilyLive(client, family.tokens);
  });
});

describe("introspection: a retired refresh token", () => {
  it("answers exactly {active: false} to a refresh token retired by rotation", async () => {
    const family = await startFamily(client.client_id);
    await expectFamilyLive(client, family.tokens);

    await expectInactive(client, family.tokens.refresh_token);
  });

  it("does not count introspecting a retired token as reuse: the family keeps working", async () => {
    const family = await startFamily(client.client_id);
    const rotated = await expectFamilyLive(client, family.tokens);
    // Past the retry window, where presenting it at the token endpoint would end the family.
    await ageFamily(family.sid, 31);
    const before = await readFamily(family.sid);

    await expectInactive(client, family.tokens.refresh_token);
    await expectInactive(client, family.tokens.refresh_token);

    expect(await readFamily(family.sid)).toEqual(before);
    await expectFamilyLive(client, rotated);
  });

  it("does not spend the retry window: the retired token still replays its answer after introspection", async () => {
    const family = await startFamily(client.client_id);
    const first = await refresh(client, family.tokens.refresh_token);
    const firstText = await first.text();
    expect(first.status).toBe(200);

    await expectInactive(client, family.tokens.refresh_token);

    const again = await refresh(client, family.tokens.refresh_token);
    expect(again.status).toBe(200);
    expect(await again.text()).toBe(firstText);
  });

  it("does not spend the current token: introspecting it leaves it to be used once", async () => {
    const family = await startFamily(client.client_id);
    const before = await readFamily(family.sid);

    expect((await introspectionBody(await introspect(client, family.tokens.refresh_token))).active).toBe(true);

    expect(await readFamily(family.sid)).toEqual(before);
    await expectFamilyLive(client, family.tokens);
  });
});
