/**
 * Reading what a client's back-channel logout endpoint received: the receiver runs in Node
 * (logout-receiver.mjs) and these helpers, inside workerd, reach it over the loopback network.
 */
import { exports } from "cloudflare:workers";
import { createLocalJWKSet, jwtVerify, type JWTPayload, type ProtectedHeaderParameters } from "jose";
import { expect, inject } from "vitest";
import { BASE } from "./worker";

declare module "vitest" {
  export interface ProvidedContext {
    /** The origin of the back-channel logout receiver (test/support/logout-receiver.mjs). */
    logoutReceiver: string;
  }
}

/** How a receiver answers; see logout-receiver.mjs. */
export type ReceiverBehaviour = "ok" | "no-content" | "flaky" | "down" | "refuses" | "moved" | "slow";

/** One request as the receiver recorded it. */
export interface ReceivedRequest {
  method: string;
  path: string;
  contentType: string | null;
  body: string;
  /** `false` when the receiver never answered it (the sender gave up). */
  answered: boolean;
}

/** A back-channel logout URI of its own, answering as `behaviour` says. */
export function receiverUri(behaviour: ReceiverBehaviour = "ok"): string {
  return `${inject("logoutReceiver")}/logout/${behaviour}/${crypto.randomUUID()}`;
}

/** Every request that reached `uri` (or a path it redirected to), in order of arrival. */
export async function receivedAt(uri: string): Promise<ReceivedRequest[]> {
  const id = new URL(uri).pathname.split("/")[3]!;
  const response = await fetch(`${inject("logoutReceiver")}/received/${id}`);
  return (await response.json<{ requests: ReceivedRequest[] }>()).requests;
}

/** Waits until `uri` has received at least `count` requests (notices are sent after the answer). */
export async function waitForRequests(uri: string, count: number, timeoutMs = 10_000): Promise<ReceivedRequest[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const requests = await receivedAt(uri);
    if (requests.length >= count) return requests;
    if (Date.now() > deadline) throw new Error(`${uri} received ${requests.length} of ${count} requests`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The logout token a request carried: its body must be exactly `logout_token=...`. */
export function logoutTokenOf(request: ReceivedRequest): string {
  expect(request.method).toBe("POST");
  expect(request.contentType).toBe("application/x-www-form-urlencoded");
  const form = new URLSearchParams(request.body);
  expect([...form.keys()]).toEqual(["logout_token"]);
  return form.get("logout_token")!;
}

/**
 * Verifies a logout token as a client would (Back-Channel Logout §2.6): against Baton's JWKS,
 * typed `logout+jwt`, from Baton, for `clientId`.
 */
export async function verifyLogoutToken(
  token: string,
  clientId: string,
): Promise<{ payload: JWTPayload; protectedHeader: ProtectedHeaderParameters }> {
  const jwks = await (await exports.default.fetch(new Request(`${BASE}/oauth2/jwks`))).json<{ keys: [] }>();
  return jwtVerify(token, createLocalJWKSet(jwks), { issuer: BASE, audience: clientId, typ: "logout+jwt" });
}
