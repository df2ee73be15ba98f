/** Raw token endpoint requests and the assertions every error answer must pass. */
import { expect } from "vitest";
import { call } from "../support/worker";

/** The challenge every 401 `invalid_client` carries. */
export const BASIC_CHALLENGE = 'Basic realm="Baton"';

/** The fixed `error_description` strings of the token endpoint and the admin API. */
export const DESCRIPTION = {
  postOnly: "This method is not allowed here.",
  mediaType: "The body must be application/x-www-form-urlencoded or application/json.",
  repeated: "A parameter was given more than once.",
  tooLarge: "The request body is too large.",
  secretInQuery: "Client credentials must not be sent in the query string.",
  notUtf8: "The body is not valid UTF-8.",
  notJson: "The body is not valid JSON.",
  notObject: "The JSON body must be an object.",
  notString: "Every JSON parameter must be a string.",
  grantTypeRequired: "The grant_type parameter is required.",
  unsupportedGrantType: "The grant type is not supported.",
  unauthorizedClient: "The client is not allowed to use this grant type.",
  clientAuthFailed: "Client authentication failed.",
  clientAuthRequired: "Client authentication is required.",
  badBasic: "The Authorization header is not valid Basic credentials.",
  twoMethods: "Use only one client authentication method.",
  clientIdMismatch: "The client_id in the body does not match the Authorization header.",
  invalidGrant: "The grant is invalid, expired, revoked, or was issued to another client.",
  refreshTokenRequired: "The refresh_token parameter is required.",
  adminToken: "A valid admin bearer token is required.",
  nothingHere: "There is nothing at this path.",
} as const;

/** POSTs `body` to the token endpoint (or `path`) with exactly the given headers. */
export function postToken(
  body: BodyInit | null,
  headers: Record<string, string> = {},
  path = "/oauth2/token",
): Promise<Response> {
  return call(path, { method: "POST", headers, body });
}

/** POSTs a form body built from `params`. */
export function postForm(params: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return postToken(new URLSearchParams(params).toString(), {
    "Content-Type": "application/x-www-form-urlencoded",
    ...headers,
  });
}

/** POSTs a JSON body: an object is serialised, a string is sent as it is. */
export function postJson(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return postToken(typeof body === "string" ? body : JSON.stringify(body), {
    "Content-Type": "application/json",
    ...headers,
  });
}

/** What an RFC 6749 §5.2 error answer must be. */
export interface ExpectedError {
  status: number;
  error: string;
  description: string;
  /** The exact `WWW-Authenticate` header, or `null` (the default) when there must be none. */
  challenge?: string | null;
  /** Further headers that must have exactly these values. */
  headers?: Record<string, string>;
}

/**
 * Asserts an error answer: status, the whole JSON body, the no-store and nosniff headers, and
 * the presence or absence of a challenge.
 */
export async function expectError(response: Response, expected: ExpectedError): Promise<void> {
  const text = await response.text();
  expect(response.status, text).toBe(expected.status);
  expect(JSON.parse(text)).toEqual({ error: expected.error, error_description: expected.description });
  expect(response.headers.get("Content-Type")).toBe("application/json");
  expect(response.headers.get("Cache-Control")).toBe("no-store");
  expect(response.headers.get("Pragma")).toBe("no-cache");
  expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
  expect(response.headers.get("WWW-Authenticate")).toBe(expected.challenge ?? null);
  for (const [name, value] of Object.entries(expected.headers ?? {})) {
    expect(response.headers.get(name)).toBe(value);
  }
}

/** Asserts a 400 `invalid_request` with the given description. */
export function expectInvalidRequest(response: Response, description: string, status = 400): Promise<void> {
  return expectError(response, { status, error: "invalid_request", description });
}

/** Asserts a 401 `invalid_client` with its Basic challenge. */
export function expectInvalidClient(response: Response, description: string = DESCRIPTION.clientAuthFailed) {
  return expectError(response, { status: 401, error: "invalid_client", description, challenge: BASIC_CHALLENGE });
}

/** Asserts a successful token response and returns its body. */
export async function expectTokens(response: Response): Promise<Record<string, unknown>> {
  const text = await response.text();
  expect(response.status, text).toBe(200);
  expect(response.headers.get("Content-Type")).toBe("application/json");
  expect(response.headers.get("Cache-Control")).toBe("no-store");
  expect(response.headers.get("Pragma")).toBe("no-cache");
  expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(body).toMatchObject({ token_type: "bearer", access_token: expect.any(String) });
  return body;
}

/**
 * Every byte of `text`'s UTF-8 percent-encoded, unreserved characters included: a decoder that
 * skips form-decoding cannot read the result.
 */
export function percentEncodeAll(text: string): string {
  return [...new TextEncoder().encode(text)]
    .map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, "0")}`)
    .join("");
}

/** A `Basic` header from raw bytes/text, exactly as given (no form-encoding). */
export function rawBasic(decoded: string): string {
  return `Basic ${btoa(decoded)}`;
}
