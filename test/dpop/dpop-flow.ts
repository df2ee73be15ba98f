/** Token requests with DPoP proofs, as a client sends them, for the DPoP suites. */
import { expect } from "vitest";
import type { TestClient } from "../support/clients";
import { authorizationQuery, authorize, completeLogin, expectLoginHandOff } from "../support/code-flow";
import { basicAuth } from "../support/token-requests";
import { call } from "../support/worker";
import { proof, type DpopKey } from "./dpop-support";

/** `POST /oauth2/token` with `params` for `client` (Basic, or `client_id` for a public one), and `dpop` if given. */
export function tokenPost(client: TestClient, params: Record<string, string>, dpop?: string): Promise<Response> {
  const body = new URLSearchParams(params);
  const headers: Record<string, string> = { "Content-Type": "application/x-www-form-urlencoded" };
  if (client.client_secret === undefined) body.set("client_id", client.client_id);
  else headers.Authorization = basicAuth(client.client_id, client.client_secret);
  if (dpop !== undefined) headers.DPoP = dpop;
  return call("/oauth2/token", { method: "POST", headers, body });
}

/** The JSON of a 200 token response (the test fails with its text otherwise). */
export async function tokens(response: Response): Promise<Record<string, string>> {
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return JSON.parse(text);
}

/** A login for `client` up to its code, and the redemption to send; `dpopJkt` binds the code. */
export async function codeRedemption(client: TestClient, dpopJkt?: string): Promise<Record<string, string>> {
  const { query, codeVerifier } = await authorizationQuery(
    client,
    dpopJkt === undefined ? {} : { extra: { dpop_jkt: dpopJkt } },
  );
  const redirect = await completeLogin(expectLoginHandOff(await authorize(query)));
  return {
    grant_type: "authorization_code",
    code: redirect.searchParams.get("code")!,
    redirect_uri: query.redirect_uri!,
    code_verifier: codeVerifier!,
  };
}

/** A code flow for `client` whose redemption carries a proof by `key`; `dpopJkt` binds the code first. */
export async function dpopFlow(key: DpopKey, client: TestClient, dpopJkt?: string) {
  const redeem = await codeRedemption(client, dpopJkt);
  return { redeem, response: await tokenPost(client, redeem, await proof(key)) };
}
