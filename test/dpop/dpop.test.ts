/**
 * DPoP (RFC 9449): tokens bound to the client's key. A public client's refresh token is useless
 * without the key (and proves no theft without it), the retry window replays only to the same
 * key, a proof is good once, and a bound access token needs its proof at userinfo.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { expectError } from "../http/support-token-endpoint";
import { registerClient, type TestClient } from "../support/clients";
import { jwtPayload } from "../support/code-flow";
import { ageFamily, readFamily } from "../support/families";
import { basicAuth } from "../support/token-requests";
import { BASE, call } from "../support/worker";
import { codeRedemption, dpopFlow as codeFlow, tokenPost as postToken, tokens } from "./dpop-flow";
import { ath, newDpopKey, proof, type DpopKey } from "./dpop-support";

const INVALID_GRANT = {
  status: 400,
  error: "invalid_grant",
  description: "The grant is invalid, expired, revoked, or was issued to another client.",
};
const INVALID_PROOF = {
  status: 400,
  error: "invalid_dpop_proof",
  description: "The DPoP proof is missing, malformed or not valid for this request.",
};

let spa: TestClient;

beforeAll(async () => {
  spa = await registerClient({ token_endpoint_auth_method: "none" });
});

const tokenPost = (params: Record<string, string>, dpop?: string, client = spa) => postToken(client, params, dpop);
const dpopFlow = (key: DpopKey, client = spa, dpopJkt?: string) => codeFlow(key, client, dpopJkt);

const refreshWith = (token: string, dpop?: string, client = spa) =>
  tokenPost({ grant_type: "refresh_token", refresh_token: token }, dpop, client);

describe("DPoP at the token endpoint", () => {
  it("binds the access token to the proof's key, says DPoP, and offers a nonce", async () => {
    const key = await newDpopKey();
    const { response } = await dpopFlow(key);

    expect(response.headers.get("DPoP-Nonce")).toMatch(/^[A-Za-z0-9_-]{27}$/);
    const body = await tokens(response);
    expect(body.token_type).toBe("DPoP");
    expect(jwtPayload(body.access_token!).cnf).toEqual({ jkt: key.jkt });
  });

  it("refuses a public client's refresh without the key, or with another, and changes nothing", async () => {
    const key = await newDpopKey();
    const first = await tokens((await dpopFlow(key)).response);
    const sid = jwtPayload(first.access_token!).sid as string;
    const before = await readFamily(sid);

    await expectError(await refreshWith(first.refresh_token!), INVALID_GRANT);
    await expectError(await refreshWith(first.refresh_token!, await proof(await newDpopKey())), INVALID_GRANT);

    expect(await readFamily(sid)).toEqual(before);
    const next = await tokens(await refreshWith(first.refresh_token!, await proof(key)));
    expect(jwtPayload(next.access_token!).cnf).toEqual({ jkt: key.jkt });
  });

  it("takes a stolen retired token without the key for nothing, and with the key after the window for reuse", async () => {
    const key = await newDpopKey();
    const first = await tokens((await dpopFlow(key)).response);
    const sid = jwtPayload(first.access_token!).sid as string;
    const second = await tokens(await refreshWith(first.refresh_token!, await proof(key)));
    await ageFamily(sid, 31);

    await expectError(await refreshWith(first.refresh_token!), INVALID_GRANT);
    expect(await readFamily(sid)).toBeDefined();

    await expectError(await refreshWith(first.refresh_token!, await proof(key)), INVALID_GRANT);
    expect(await readFamily(sid)).toBeUndefined();
    await expectError(await refreshWith(second.refresh_token!, await proof(key)), INVALID_GRANT);
  });

  it("replays the first answer byte for byte to a new proof by the same key, and to no other key", async () => {
    const key = await newDpopKey();
    const first = await tokens((await dpopFlow(key)).response);
    const answer = await (await refreshWith(first.refresh_token!, await proof(key))).text();
    const sid = jwtPayload(first.access_token!).sid as string;

    expect(await (await refreshWith(first.refresh_token!, await proof(key))).text()).toBe(answer);
    await expectError(await refreshWith(first.refresh_token!, await proof(await newDpopKey())), INVALID_GRANT);
    // Another key is no proof of theft: the family goes on.
    expect(await readFamily(sid)).toBeDefined();
  });

  it("takes a proof once: of ten identical requests carrying one proof, one rotates", async () => {
    const key = await newDpopKey();
    const first = await tokens((await dpopFlow(key)).response);
    const once = await proof(key);

    const answers = await Promise.all(Array.from({ length: 10 }, () => refreshWith(first.refresh_token!, once)));

    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    for (const answer of answers.filter((a) => a.status !== 200)) {
      expect(await answer.json()).toEqual({
        error: "invalid_dpop_proof",
        error_description: "This DPoP proof was used before.",
      });
    }
  });

  it("binds a confidential client's access token but not its refresh token", async () => {
    const web = await registerClient();
    const key = await newDpopKey();
    const first = await tokens((await dpopFlow(key, web)).response);

    const next = await tokens(await refreshWith(first.refresh_token!, undefined, web));
    expect(next.token_type).toBe("bearer");
    expect(jwtPayload(next.access_token!).cnf).toBeUndefined();
  });

  it("redeems a code bound by dpop_jkt only with a proof by that key, and the code stays good", async () => {
    const key = await newDpopKey();
    const redeem = await codeRedemption(spa, key.jkt);

    await expectError(await tokenPost(redeem), INVALID_GRANT);
    await expectError(await tokenPost(redeem, await proof(await newDpopKey())), INVALID_GRANT);
    expect((await tokenPost(redeem, await proof(key))).status).toBe(200);
  });

  it("asks for a nonce when a proof carries one that is not the server's, and takes the one it gives", async () => {
    const key = await newDpopKey();
    const first = await tokens((await dpopFlow(key)).response);

    const asked = await refreshWith(first.refresh_token!, await proof(key, { nonce: "not-a-nonce" }));
    expect(asked.status).toBe(400);
    expect(await asked.json()).toEqual({
      error: "use_dpop_nonce",
      error_description: "The DPoP proof must carry the nonce this server gave.",
    });
    const nonce = asked.headers.get("DPoP-Nonce")!;
    expect((await refreshWith(first.refresh_token!, await proof(key, { nonce }))).status).toBe(200);
  });

  it("refuses bearer requests from a client registered for DPoP-bound tokens", async () => {
    const bound = await registerClient({ token_endpoint_auth_method: "none", dpop_bound_access_tokens: true });
    const { redeem } = await dpopFlow(await newDpopKey(), bound);

    await expectError(
      await tokenPost({ ...redeem, grant_type: "refresh_token", refresh_token: "x" }, undefined, bound),
      {
        status: 400,
        error: "invalid_dpop_proof",
        description: "A DPoP proof is required for this client.",
      },
    );
  });

  it("binds a machine client's token too", async () => {
    const machine = await registerClient({ grant_types: ["client_credentials"], redirect_uris: [], scope: "jobs" });
    const key = await newDpopKey();

    const body = await tokens(await tokenPost({ grant_type: "client_credentials" }, await proof(key), machine));

    expect(body.token_type).toBe("DPoP");
    expect(jwtPayload(body.access_token!).cnf).toEqual({ jkt: key.jkt });
  });
});

describe("DPoP proofs whose htu is spelled another way", () => {
  // BASE is https://baton.test.
  it.each([
    ["an upper-case scheme and host", "HTTPS://BATON.TEST/oauth2/token"],
    ["the default port", "https://baton.test:443/oauth2/token"],
    ["escaped unreserved characters", "https://baton.test/oauth2/%74ok%65n"],
    ["a dot segment", "https://baton.test/oauth2/./token"],
    ["a query and a fragment", "https://baton.test/oauth2/token?x=1#y"],
  ])("accepts %s (RFC 3986 §6.2.2, RFC 9449 §4.3)", async (_label, htu) => {
    expect(BASE).toBe("https://baton.test");
    const machine = await registerClient({ grant_types: ["client_credentials"], redirect_uris: [], scope: "jobs" });
    const sent = await tokenPost(
      { grant_type: "client_credentials" },
      await proof(await newDpopKey(), { htu }),
      machine,
    );
    expect((await tokens(sent)).token_type).toBe("DPoP");
  });

  it.each([
    ["an escaped slash, which names another path", "https://baton.test/oauth2%2Ftoken"],
    ["another port", "https://baton.test:8443/oauth2/token"],
    ["a path in another case", "https://baton.test/OAUTH2/token"],
  ])("refuses %s", async (_label, htu) => {
    const machine = await registerClient({ grant_types: ["client_credentials"], redirect_uris: [], scope: "jobs" });
    const sent = await tokenPost(
      { grant_type: "client_credentials" },
      await proof(await newDpopKey(), { htu }),
      machine,
    );
    await expectError(sent, INVALID_PROOF);
  });
});

describe("DPoP proofs that are refused", () => {
  let machine: TestClient;

  beforeAll(async () => {
    machine = await registerClient({ grant_types: ["client_credentials"], redirect_uris: [], scope: "jobs" });
  });

  it.each<[string, (key: DpopKey) => Promise<string>]>([
    ["another method", (key) => proof(key, { htm: "GET" })],
    ["another URL", (key) => proof(key, { htu: `${BASE}/oauth2/revoke` })],
    ["another host", (key) => proof(key, { htu: "https://evil.example/oauth2/token" })],
    ["an old iat", (key) => proof(key, { iat: Math.floor(Date.now() / 1000) - 3600 })],
    ["an iat far ahead", (key) => proof(key, { iat: Math.floor(Date.now() / 1000) + 3600 })],
    ["an ath at the token endpoint", (key) => proof(key, { ath: "x" })],
    ["no typ", (key) => proof(key, {}, { typ: "JWT" })],
    ["a private key in the header", async (key) => proof(key, {}, { jwk: { ...key.jwk, d: "AAAA" } })],
    ["no key", (key) => proof(key, {}, { jwk: undefined })],
    ["a key that did not sign it", async (key) => proof(key, {}, { jwk: (await newDpopKey()).jwk })],
    ["a key off the curve", (key) => proof(key, {}, { jwk: { kty: "EC", crv: "P-256", x: "AAAA", y: "AAAA" } })],
    ["garbage", async () => "not.a.proof"],
    ["two proofs", async (key) => `${await proof(key)}, ${await proof(key)}`],
  ])("refuses %s with invalid_dpop_proof", async (_label, make) => {
    const key = await newDpopKey();
    await expectError(await tokenPost({ grant_type: "client_credentials" }, await make(key), machine), INVALID_PROOF);
  });
});

describe("DPoP proofs of grants without a session", () => {
  it.each(["sequentially", "in parallel"])("takes a client_credentials proof once, %s", async (mode) => {
    const machine = await registerClient({ grant_types: ["client_credentials"], redirect_uris: [], scope: "jobs" });
    const once = await proof(await newDpopKey());
    const send = () => tokenPost({ grant_type: "client_credentials" }, once, machine);

    const responses =
      mode === "sequentially" ? [await send(), await send()] : await Promise.all([...Array(10)].map(send));

    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    for (const response of responses.filter((r) => r.status !== 200)) {
      await expectError(response, {
        status: 400,
        error: "invalid_dpop_proof",
        description: "This DPoP proof was used before.",
      });
    }
  });
});

describe("DPoP at userinfo", () => {
  async function boundTokens() {
    const key = await newDpopKey();
    const body = await tokens((await dpopFlow(key)).response);
    return { key, token: body.access_token! };
  }

  const userinfoProof = async (key: DpopKey, token: string, extra: Record<string, string> = {}) =>
    proof(key, { htm: "GET", htu: `${BASE}/oauth2/userinfo`, ath: await ath(token), ...extra });

  it("answers a bound token presented as DPoP with a proof by its key", async () => {
    const { key, token } = await boundTokens();

    const response = await call("/oauth2/userinfo", {
      headers: { Authorization: `DPoP ${token}`, DPoP: await userinfoProof(key, token) },
    });

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ sub: "user_alice" });
  });

  it.each<[string, (key: DpopKey, token: string) => Promise<Record<string, string>>]>([
    ["as Bearer", async (_key, token) => ({ Authorization: `Bearer ${token}` })],
    ["without a proof", async (_key, token) => ({ Authorization: `DPoP ${token}` })],
    [
      "with another key's proof",
      async (_key, token) => ({ Authorization: `DPoP ${token}`, DPoP: await userinfoProof(await newDpopKey(), token) }),
    ],
  ])("refuses a bound token %s with the DPoP challenge", async (_label, headers) => {
    const { key, token } = await boundTokens();

    const response = await call("/oauth2/userinfo", { headers: await headers(key, token) });

    expect(response.status).toBe(401);
    expect(response.headers.get("WWW-Authenticate")).toBe('DPoP error="invalid_token", algs="ES256 EdDSA RS256 PS256"');
  });

  it("asks for a nonce as a resource does: 401 with use_dpop_nonce in the DPoP challenge", async () => {
    const { key, token } = await boundTokens();

    const response = await call("/oauth2/userinfo", {
      headers: { Authorization: `DPoP ${token}`, DPoP: await userinfoProof(key, token, { nonce: "stale" }) },
    });

    expect(response.status).toBe(401);
    expect(response.headers.get("WWW-Authenticate")).toBe(
      'DPoP error="use_dpop_nonce", algs="ES256 EdDSA RS256 PS256"',
    );
    const nonce = response.headers.get("DPoP-Nonce")!;
    const again = await call("/oauth2/userinfo", {
      headers: { Authorization: `DPoP ${token}`, DPoP: await userinfoProof(key, token, { nonce }) },
    });
    expect(again.status).toBe(200);
  });

  it("takes a userinfo proof once", async () => {
    const { key, token } = await boundTokens();
    const once = await userinfoProof(key, token);
    const headers = { Authorization: `DPoP ${token}`, DPoP: once };

    expect((await call("/oauth2/userinfo", { headers })).status).toBe(200);
    expect((await call("/oauth2/userinfo", { headers })).status).toBe(401);
  });

  it("reports the binding at introspection", async () => {
    const web = await registerClient();
    const { key, token } = await boundTokens();
    const response = await call("/oauth2/introspection", {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Authorization: basicAuth(web.client_id, web.client_secret!),
      },
      body: new URLSearchParams({ token }),
    });

    expect(await response.json()).toMatchObject({ active: true, cnf: { jkt: key.jkt } });
  });
});
