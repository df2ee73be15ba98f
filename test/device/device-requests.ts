/**
 * The requests of a device authorization (RFC 8628) as a device and a person make them: ask for
 * codes, type the user code at /device, poll the token endpoint, and let time pass.
 */
import { expect, vi } from "vitest";
import { registerClient, type TestClient } from "../support/clients";
import { LOGIN_URL, callWith } from "../support/code-flow";
import { call } from "../support/worker";

export const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

/** Registers a public device client (a TV, say) with the grant and refresh tokens. */
export function registerDeviceClient(scope = "openid offline_access"): Promise<TestClient> {
  return registerClient({
    token_endpoint_auth_method: "none",
    grant_types: [DEVICE_GRANT, "refresh_token"],
    redirect_uris: [],
    scope,
  });
}

/** The device authorization response (RFC 8628 §3.2). */
export interface DeviceAnswer {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

/** Asks for a device authorization with `openid offline_access`, and `resource`s if given. */
export async function askDevice(
  client: TestClient,
  extra: Record<string, string> = {},
  resources: string[] = [],
): Promise<DeviceAnswer> {
  const body = new URLSearchParams({ client_id: client.client_id, scope: "openid offline_access", ...extra });
  for (const resource of resources) body.append("resource", resource);
  const response = await call("/oauth2/device_authorization", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body,
  });
  const text = await response.text();
  expect(response.status, text).toBe(200);
  expect(response.headers.get("Cache-Control")).toBe("no-store");
  return JSON.parse(text);
}

/** One poll of the device code grant by `client`, naming `resources` if given. */
export function poll(deviceCode: string, client: TestClient, resources: string[] = []): Promise<Response> {
  const body = new URLSearchParams({ grant_type: DEVICE_GRANT, device_code: deviceCode, client_id: client.client_id });
  for (const resource of resources) body.append("resource", resource);
  return call("/oauth2/token", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body,
  });
}

/** Types the code at /device as a person would; returns the authorization request's id. */
export async function typeCode(userCode: string): Promise<string> {
  const response = await callWith({ LOGIN_URL }, `/device?user_code=${encodeURIComponent(userCode)}`);
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get("Location")!);
  expect(location.origin + location.pathname).toBe(LOGIN_URL);
  return location.searchParams.get("authorization_request")!;
}

/** Moves the clock on, as the device's waiting would (the clock stands still in between). */
export function later(seconds: number): void {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(Date.now() + seconds * 1000);
}
