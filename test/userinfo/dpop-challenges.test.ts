/**
 * A DPoP-bound token at userinfo is refused in the scheme it came in (RFC 9449 §7.1), for every
 * reason: a proved token whose scope lacks `openid` is 403 `insufficient_scope`, and one whose
 * client was deleted is 401 `invalid_token`, each with the DPoP challenge rather than Bearer's.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { tokens, dpopFlow, tokenPost } from "../dpop/dpop-flow";
import { ath, newDpopKey, proof, type DpopKey } from "../dpop/dpop-support";
import { registerClient, type TestClient } from "../support/clients";
import { admin, BASE, call } from "../support/worker";

let spa: TestClient;

beforeAll(async () => {
  spa = await registerClient({ token_endpoint_auth_method: "none" });
});

async function userinfo(key: DpopKey, token: string): Promise<Response> {
  const dpop = await proof(key, { htm: "GET", htu: `${BASE}/oauth2/userinfo`, ath: await ath(token) });
  return call("/oauth2/userinfo", { headers: { Authorization: `DPoP ${token}`, DPoP: dpop } });
}

describe("DPoP-bound tokens refused at userinfo", () => {
  it("says insufficient_scope in the DPoP challenge for a proved token without openid", async () => {
    const key = await newDpopKey();
    const first = await tokens((await dpopFlow(key, spa)).response);
    // A refresh narrowed to `profile`: the new access token is bound, proved, and lacks openid.
    const narrowed = await tokens(
      await tokenPost(
        spa,
        { grant_type: "refresh_token", refresh_token: first.refresh_token!, scope: "profile" },
        await proof(key),
      ),
    );
    expect(narrowed.token_type).toBe("DPoP");

    const response = await userinfo(key, narrowed.access_token!);

    expect(response.status).toBe(403);
    expect(response.headers.get("WWW-Authenticate")).toBe(
      'DPoP error="insufficient_scope", scope="openid", algs="ES256 EdDSA RS256 PS256"',
    );
    expect(await response.json()).toMatchObject({ error: "insufficient_scope" });
  });

  it("says invalid_token in the DPoP challenge once the token's client is deleted", async () => {
    const doomed = await registerClient({ token_endpoint_auth_method: "none" });
    const key = await newDpopKey();
    const { access_token: token } = await tokens((await dpopFlow(key, doomed)).response);
    expect((await userinfo(key, token!)).status).toBe(200);
    expect((await admin("DELETE", `/admin/clients/${doomed.client_id}`)).status).toBe(204);

    const response = await userinfo(key, token!);

    expect(response.status).toBe(401);
    expect(response.headers.get("WWW-Authenticate")).toBe('DPoP error="invalid_token", algs="ES256 EdDSA RS256 PS256"');
  });
});
