/**
 * The real clients and tokens the fuzz properties start from: generated requests mix them with
 * random input, and near-valid tokens are mutations of them.
 */
import { expect } from "vitest";
import { registerClient, type TestClient } from "../support/clients";
import { clientKey, registerKeyClient, signAssertion, type KeyClient } from "../support/client-keys";
import { REDIRECT_URI, issueCode, runCodeFlow, type IssuedCode } from "../support/code-flow";
import { tokenRequest } from "../support/token-requests";

/** A grant that went through the code flow: its tokens as the client holds them. */
export interface FuzzFamily {
  client: TestClient;
  sid: string;
  refreshToken: string;
  accessToken: string;
  idToken: string;
}

/** An authorization code not yet redeemed, and the client it was issued to. */
export interface FuzzCode extends IssuedCode {
  client: TestClient;
}

/** Everything one batch of fuzz runs starts from. */
export interface FuzzFixtures {
  /** Confidential (client_secret_basic), code and refresh grants. */
  web: TestClient;
  /** Public (`none`), code and refresh grants. */
  spa: TestClient;
  /** Confidential, client_credentials only. */
  machine: TestClient;
  /**
   * The one registered client that generated requests may authenticate wrongly. Failed
   * authentications are rate-limited per client_id, and a throttled `web`, `spa` or `machine`
   * would hide every deeper code path from the rest of the run.
   */
  victim: TestClient;
  families: FuzzFamily[];
  /** Codes issued and not yet redeemed, with their redirect URI and PKCE verifier. */
  codes: FuzzCode[];
  /** Confidential by `private_key_jwt` (inline keys), client_credentials only. */
  signer: KeyClient;
  /** Assertions of `signer`: right and unused (until a run spends one), or wrong in one way. */
  assertions: { fresh: string[]; wrong: string[] };
  /** An access token of the client_credentials grant (no sid). */
  machineToken: string;
  redirectUri: string;
}

/** Registers the clients and runs the flows that give every batch its real tokens. */
export async function prepareFixtures(): Promise<FuzzFixtures> {
  const machineMetadata = {
    grant_types: ["client_credentials"],
    redirect_uris: [],
    scope: "reports:read reports:write",
  };
  const key = await clientKey("ES256");
  const [web, spa, machine, victim, signer] = await Promise.all([
    registerClient(),
    // The public client may also start device flows, so that device authorizations succeed.
    registerClient({
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"],
    }),
    registerClient(machineMetadata),
    registerClient(),
    registerKeyClient(key, { ...machineMetadata, jwks: { keys: [key.publicJwk] } }),
  ]);
  const families = await Promise.all([web, web, spa].map((client) => family(client)));
  const codes = await Promise.all([web, spa].map(async (client) => ({ ...(await issueCode(client)), client })));
  const response = await tokenRequest(machine, { grant_type: "client_credentials" });
  const text = await response.text();
  expect(response.status, text).toBe(200);
  const machineToken = (JSON.parse(text) as { access_token: string }).access_token;
  const assertions = { fresh: await freshAssertions(signer), wrong: await wrongAssertions(signer) };
  return { web, spa, machine, victim, signer, assertions, families, codes, machineToken, redirectUri: REDIRECT_URI };
}

async function family(client: TestClient): Promise<FuzzFamily> {
  const { sid, tokens } = await runCodeFlow(client);
  return {
    client,
    sid,
    refreshToken: tokens.refresh_token!,
    accessToken: tokens.access_token,
    idToken: tokens.id_token!,
  };
}

function freshAssertions(signer: KeyClient): Promise<string[]> {
  return Promise.all(Array.from({ length: 20 }, () => signAssertion(signer)));
}

/** Assertions of `signer` with one thing wrong each: signer, algorithm, audience, times, jti. */
async function wrongAssertions(signer: KeyClient): Promise<string[]> {
  const now = Math.floor(Date.now() / 1000);
  const [stranger, rsa] = await Promise.all([clientKey("ES256", signer.key.kid), clientKey("RS256")]);
  return Promise.all([
    signAssertion(signer, {}, {}, stranger),
    signAssertion(signer, {}, {}, rsa),
    signAssertion(signer, { aud: "https://elsewhere.example" }),
    signAssertion(signer, { exp: now - 3600 }),
    signAssertion(signer, { exp: now + 3600 }),
    signAssertion(signer, { nbf: now + 3600 }),
    signAssertion(signer, { jti: undefined }),
    signAssertion(signer, { iss: "client_someone_else" }),
    signAssertion(signer, { iss: "client_someone_else", sub: "client_someone_else" }),
  ]);
}

/** Every real token of the fixtures, whatever its kind. */
export function realTokens(fixtures: FuzzFixtures): string[] {
  return [
    ...fixtures.families.flatMap((f) => [f.refreshToken, f.accessToken, f.idToken]),
    ...fixtures.codes.map((c) => c.code),
    fixtures.machineToken,
  ];
}
