/**
 * The ID token of a refresh: the same identity as the original, issued anew, without `nonce`,
 * with the profile and email claims that the effective scope releases.
 *
 * @see OIDC Core §12.2, §5.4
 */
import { env } from "cloudflare:workers";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { registerClient } from "../support/clients";
import { ALICE, startFamily } from "../support/families";
import { refresh } from "../support/token-requests";
import { BASE } from "../support/worker";

const AUTH_TIME = 1_790_000_000;
const PERSONAL = ["name", "given_name", "family_name", "email", "email_verified"];

afterEach(() => {
  vi.useRealTimers();
});

async function refreshedIdToken(scope?: string) {
  const client = await registerClient();
  const family = await startFamily(client.client_id, { nonce: "n-123", authTime: AUTH_TIME, organizationId: "org_1" });
  const response = await refresh(client, family.tokens.refresh_token, scope === undefined ? {} : { scope });
  expect(response.status).toBe(200);
  const body = await response.json<{ id_token: string }>();
  return { client, family, original: decodeJwt(family.tokens.id_token!), refreshed: decodeJwt(body.id_token) };
}

/** The personal claims of an ID token, and nothing else. */
function personal(claims: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(claims).filter(([name]) => PERSONAL.includes(name)));
}

describe("ID token on refresh", () => {
  it("keeps the original's iss, sub, aud and auth_time", async () => {
    const { client, original, refreshed } = await refreshedIdToken();

    expect(original).toMatchObject({ iss: BASE, sub: "user_alice", aud: client.client_id, auth_time: AUTH_TIME });
    expect(refreshed).toMatchObject({
      iss: original.iss,
      sub: original.sub,
      aud: original.aud,
      auth_time: original.auth_time,
    });
  });

  it("carries the nonce only in the original, never on refresh", async () => {
    const { original, refreshed } = await refreshedIdToken();

    expect(original.nonce).toBe("n-123");
    expect(refreshed).not.toHaveProperty("nonce");
  });

  it("is issued anew: iat is the refresh's time, and exp an ID token lifetime after it", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id, { nonce: "n-123", authTime: AUTH_TIME });
    const original = decodeJwt(family.tokens.id_token!);
    // Ten minutes later, injected through the clock the token service reads.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime((original.iat! + 600) * 1000);

    const body = await (await refresh(client, family.tokens.refresh_token)).json<{ id_token: string }>();

    const refreshed = decodeJwt(body.id_token);
    expect(refreshed.iat).toBe(original.iat! + 600);
    expect(refreshed.exp).toBe(refreshed.iat! + 3600);
    expect(refreshed.auth_time).toBe(AUTH_TIME);
  });

  it("has a JWT header with the signing key's kid and alg", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const body = await (await refresh(client, family.tokens.refresh_token)).json<{ id_token: string }>();

    const header = decodeProtectedHeader(body.id_token);

    expect(header).toMatchObject({ alg: env.TEST_SIGNING_ALG, kid: expect.any(String) });
    expect(header.kid).toBe(decodeProtectedHeader(family.tokens.id_token!).kid);
  });

  it.each([
    ["openid", {}],
    ["openid profile", { name: ALICE.name, given_name: ALICE.given_name, family_name: ALICE.family_name }],
    ["openid email", { email: ALICE.email, email_verified: ALICE.email_verified }],
    [
      "openid profile email",
      {
        name: ALICE.name,
        given_name: ALICE.given_name,
        family_name: ALICE.family_name,
        email: ALICE.email,
        email_verified: ALICE.email_verified,
      },
    ],
  ])("releases with scope %j exactly the claims that scope covers", async (scope, expected) => {
    const { refreshed } = await refreshedIdToken(scope);

    expect(personal(refreshed)).toEqual(expected);
  });

  it("releases the grant's full profile and email claims when the refresh names no scope", async () => {
    const { original, refreshed } = await refreshedIdToken();

    expect(personal(refreshed)).toEqual(personal(original));
    expect(personal(refreshed)).toEqual({ ...ALICE });
  });
});
