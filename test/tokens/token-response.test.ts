/**
 * The token response body, as built from its parts.
 *
 * @see RFC 6749 §5.1, OIDC Core §3.1.3.3, §12.2
 */
import { decodeJwt, exportJWK, generateKeyPair } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { loadSigningKeys, type SigningKeySet } from "../../src/tokens/keys";
import { buildTokenResponse, type TokenResponseInput } from "../../src/tokens/token-response";

const NOW = 1_800_000_000;
let keys: SigningKeySet;

beforeAll(async () => {
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  keys = await loadSigningKeys(JSON.stringify({ keys: [{ ...(await exportJWK(privateKey)), kid: "unit" }] }));
});

function input(overrides: Partial<TokenResponseInput> = {}): TokenResponseInput {
  return {
    issuer: "https://issuer.test",
    keys,
    subject: {
      clientId: "client_1",
      subject: "user_1",
      sid: "sid_1",
      claims: { email: "u@example.com", email_verified: true, name: "U" },
      authTime: NOW - 100,
    },
    scope: ["openid", "email", "offline_access"],
    now: NOW,
    accessTokenTtl: 300,
    idTokenTtl: 3600,
    allowIdToken: true,
    refreshToken: "rt_next",
    ...overrides,
  };
}

async function build(overrides: Partial<TokenResponseInput> = {}): Promise<Record<string, unknown>> {
  return JSON.parse(await buildTokenResponse(input(overrides)));
}

describe("buildTokenResponse", () => {
  it("holds access_token, token_type, expires_in, scope, id_token and refresh_token", async () => {
    const body = await build();

    expect(body).toEqual({
      access_token: expect.any(String),
      token_type: "bearer",
      expires_in: 300,
      scope: "openid email offline_access",
      id_token: expect.any(String),
      refresh_token: "rt_next",
    });
  });

  it("leaves refresh_token out when there is none", async () => {
    expect(await build({ refreshToken: undefined })).not.toHaveProperty("refresh_token");
  });

  it("leaves id_token out without openid, and whenever ID tokens are not allowed", async () => {
    expect(await build({ scope: ["email"] })).not.toHaveProperty("id_token");
    expect(await build({ allowIdToken: false })).not.toHaveProperty("id_token");
  });

  it("puts a nonce in the ID token only when given one", async () => {
    const withNonce = decodeJwt((await build({ nonce: "n-1" })).id_token as string);
    const without = decodeJwt((await build()).id_token as string);

    expect(withNonce.nonce).toBe("n-1");
    expect(without).not.toHaveProperty("nonce");
  });

  it("builds the ID token from the subject, the time and the scope", async () => {
    const claims = decodeJwt((await build()).id_token as string);

    expect(claims).toMatchObject({
      iss: "https://issuer.test",
      sub: "user_1",
      aud: "client_1",
      iat: NOW,
      exp: NOW + 3600,
      auth_time: NOW - 100,
      email: "u@example.com",
      email_verified: true,
    });
    expect(claims).not.toHaveProperty("name");
  });

  it("gives a machine client's access token no sid and no org_id", async () => {
    const body = await build({
      subject: { clientId: "client_m2m", subject: "client_m2m", claims: {} },
      scope: ["reports.read"],
      allowIdToken: false,
      refreshToken: undefined,
    });

    const claims = decodeJwt(body.access_token as string);
    expect(claims.sub).toBe("client_m2m");
    expect(claims).not.toHaveProperty("sid");
    expect(claims).not.toHaveProperty("org_id");
    expect(body).toEqual({
      access_token: expect.any(String),
      token_type: "bearer",
      expires_in: 300,
      scope: "reports.read",
    });
  });

  it("times the access token from now with the configured lifetime", async () => {
    const claims = decodeJwt((await build({ accessTokenTtl: 42 })).access_token as string);

    expect(claims.iat).toBe(NOW);
    expect(claims.exp).toBe(NOW + 42);
    expect((await build({ accessTokenTtl: 42 })).expires_in).toBe(42);
  });
});
