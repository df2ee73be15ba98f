/**
 * What every answer of the token, revocation, introspection, device authorization and
 * registration endpoints must be,
 * whatever the request: never a 5xx; a success of the endpoint's own shape, or an RFC 6749 §5.2
 * (RFC 7591 §3.2.2) error whose description is one of the fixed strings in Baton's source and
 * never repeats the input.
 */
import { expect } from "vitest";
import { BODY_LIMIT } from "./body-encodings";
import { REGISTRATION, type CheckedEndpoint } from "./endpoints";
import { describeRequest, type FuzzRequest } from "./request-arbitraries";

declare global {
  interface ImportMeta {
    /** Vite's static import of many files, here as raw text. */
    glob(pattern: string, options: { query: "?raw"; import: "default"; eager: true }): Record<string, string>;
  }
}

/** Baton's source, as text: every fixed description is a string literal in it. */
const SOURCES = Object.values(import.meta.glob("../../src/**/*.ts", { query: "?raw", import: "default", eager: true }));

/**
 * Error codes each endpoint may answer with (RFC 6749 §5.2, RFC 7009 §2.2.1, RFC 7662 §2.3,
 * RFC 7591 §3.2.2).
 */
const ERRORS: Record<CheckedEndpoint, string[]> = {
  token: [
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
    "invalid_target",
    "authorization_pending",
    "slow_down",
    "access_denied",
    "expired_token",
    "invalid_dpop_proof",
    "use_dpop_nonce",
    "temporarily_unavailable",
  ],
  revoke: ["invalid_request", "invalid_client", "unsupported_token_type", "temporarily_unavailable"],
  introspection: ["invalid_request", "invalid_client", "temporarily_unavailable"],
  device: [
    "invalid_request",
    "invalid_client",
    "unauthorized_client",
    "invalid_scope",
    "invalid_target",
    "temporarily_unavailable",
  ],
  register: ["invalid_request", "invalid_client_metadata", "invalid_redirect_uri", "temporarily_unavailable"],
};

/**
 * The codes of each endpoint's 429: a throttled failure keeps its code; a limit on work anyone
 * may ask for (a registration, a public client's device authorization) has none of its own.
 */
const THROTTLED: Record<CheckedEndpoint, string[]> = {
  token: ["invalid_client"],
  revoke: ["invalid_client"],
  introspection: ["invalid_client"],
  device: ["invalid_client", "temporarily_unavailable"],
  register: ["temporarily_unavailable"],
};

/** What a registration's client information response may hold (RFC 7591 §3.2.1). */
const REGISTERED_FIELDS = [
  ...REGISTRATION.members,
  "client_id",
  "client_id_issued_at",
  "client_secret",
  "client_secret_expires_at",
];
const CLIENT_ID = /^client_[A-Za-z0-9_-]{22}$/;

/** RFC 6749 §5.2: `error_description` is ASCII without `"` and `\`. */
const DESCRIPTION_CHARACTERS = /^[\x20\x21\x23-\x5b\x5d-\x7e]+$/;

const DEVICE_FIELDS = [
  "device_code",
  "expires_in",
  "interval",
  "user_code",
  "verification_uri",
  "verification_uri_complete",
];
const TOKEN_FIELDS = ["access_token", "token_type", "expires_in", "scope", "id_token", "refresh_token"];
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const REFRESH_TOKEN = /^rt_[A-Za-z0-9_-]{91}$/;

/** What one answer was, for counting outcomes over a run. */
export interface Outcome {
  status: number;
  /** The error code, or `"ok"` for a success. */
  kind: string;
  description?: string;
  /** The success body (token and introspection endpoints). */
  body?: Record<string, unknown>;
}

/** Asserts every property of `response` to `request`; returns what it was. */
export async function checkAnswer(
  endpoint: CheckedEndpoint,
  request: FuzzRequest,
  response: Response,
): Promise<Outcome> {
  const text = await response.text();
  const context = `${describeRequest(request)}\n→ ${response.status} ${text.slice(0, 300)}`;
  expect(response.status, context).toBeLessThan(500);
  expect(response.headers.get("Cache-Control"), context).toBe("no-store");
  expect(response.headers.get("Pragma"), context).toBe("no-cache");
  if (request.method !== "POST") {
    expect(response.status, context).toBe(405);
    expect(response.headers.get("Allow"), context).toBe("POST");
  }
  if (bodyBytes(request) > BODY_LIMIT) expect(response.status, context).toBeGreaterThanOrEqual(400);
  if (response.status === 200 || response.status === 201) {
    // Registration creates (201, RFC 7591 §3.2.1); the others answer 200.
    expect(response.status, context).toBe(endpoint === "register" ? 201 : 200);
    return success(endpoint, response, text, context);
  }
  expect(response.status, context).toBeGreaterThanOrEqual(400);
  expect(response.headers.get("Content-Type"), context).toBe("application/json");
  expect(response.headers.get("X-Content-Type-Options"), context).toBe("nosniff");
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error(`the error answer is not JSON\n${context}`);
  }
  expect(Object.keys(body).sort(), context).toEqual(["error", "error_description"]);
  const error = body.error as string;
  const description = body.error_description as string;
  expect(ERRORS[endpoint], context).toContain(error);
  expect(description, context).toMatch(DESCRIPTION_CHARACTERS);
  expect(isFixedDescription(description), `not a string literal of src/: ${context}`).toBe(true);
  for (const input of request.echoable) {
    expect(description.includes(input), `the description repeats ${JSON.stringify(input)}: ${context}`).toBe(false);
  }
  checkStatus(endpoint, response, error, request, context);
  return { status: response.status, kind: error, description };
}

function checkStatus(
  endpoint: CheckedEndpoint,
  response: Response,
  error: string,
  request: FuzzRequest,
  context: string,
): void {
  const challenge = response.headers.get("WWW-Authenticate");
  if (response.status === 401) {
    expect(error, context).toBe("invalid_client");
    expect(challenge, context).toBe('Basic realm="Baton"');
  } else {
    expect(challenge, context).toBeNull();
  }
  if (response.status === 413) {
    // Too large by its bytes, or by the length it declares (refused before reading).
    expect(error, context).toBe("invalid_request");
    expect(Math.max(bodyBytes(request), declaredLength(request)), context).toBeGreaterThan(BODY_LIMIT);
  }
  if (response.status === 429) {
    // A source that failed or asked too often learns when to retry.
    expect(THROTTLED[endpoint], context).toContain(error);
    expect(response.headers.get("Retry-After"), context).toMatch(/^[1-9][0-9]*$/);
  }
  if (error === "invalid_client") expect([401, 429], context).toContain(response.status);
}

function success(endpoint: CheckedEndpoint, response: Response, text: string, context: string): Outcome {
  if (endpoint === "revoke") {
    expect(text, context).toBe("");
    return { status: 200, kind: "ok" };
  }
  expect(response.headers.get("Content-Type"), context).toBe("application/json");
  expect(response.headers.get("X-Content-Type-Options"), context).toBe("nosniff");
  const body = JSON.parse(text) as Record<string, unknown>;
  if (endpoint === "register") {
    expect(REGISTERED_FIELDS, context).toEqual(expect.arrayContaining(Object.keys(body)));
    expect(body.client_id, context).toMatch(CLIENT_ID);
    expect(body.response_types, context).toEqual(["code"]);
    const usesSecret = ["client_secret_basic", "client_secret_post"].includes(
      body.token_endpoint_auth_method as string,
    );
    expect("client_secret" in body, context).toBe(usesSecret);
    return { status: 201, kind: "ok", body };
  }
  if (endpoint === "device") {
    // RFC 8628 §3.2.
    expect(Object.keys(body).sort(), context).toEqual(DEVICE_FIELDS);
    expect(body.device_code, context).toEqual(expect.any(String));
    expect(body.user_code, context).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    expect(body, context).toMatchObject({ expires_in: expect.any(Number), interval: expect.any(Number) });
    return { status: 200, kind: "ok", body };
  }
  if (endpoint === "token") {
    expect(TOKEN_FIELDS, context).toEqual(expect.arrayContaining(Object.keys(body)));
    expect(body, context).toMatchObject({
      access_token: expect.stringMatching(JWT),
      token_type: "bearer",
      expires_in: expect.any(Number),
      scope: expect.any(String),
    });
    expect(Number.isInteger(body.expires_in) && (body.expires_in as number) > 0, context).toBe(true);
    if ("refresh_token" in body) expect(body.refresh_token, context).toMatch(REFRESH_TOKEN);
    if ("id_token" in body) expect(body.id_token, context).toMatch(JWT);
  } else if (body.active === true) {
    expect(body, context).toMatchObject({
      active: true,
      token_type: expect.stringMatching(/^(access_token|refresh_token)$/),
      client_id: expect.any(String),
      sub: expect.any(String),
      exp: expect.any(Number),
      scope: expect.any(String),
    });
  } else {
    expect(body, context).toEqual({ active: false });
  }
  return { status: 200, kind: "ok", body };
}

/** Whether `description` is written out, whole, as a string literal somewhere in src/. */
export function isFixedDescription(description: string): boolean {
  return SOURCES.some((source) => ['"', "'", "`"].some((q) => source.includes(`${q}${description}${q}`)));
}

function declaredLength(request: FuzzRequest): number {
  const declared = request.headers.find(([name]) => name.toLowerCase() === "content-length")?.[1];
  return declared === undefined ? 0 : Number(declared) || 0;
}

function bodyBytes(request: FuzzRequest): number {
  if (request.body === null) return 0;
  return typeof request.body === "string" ? new TextEncoder().encode(request.body).length : request.body.length;
}

/** Counts outcomes over a run, to show what the generated requests reached. */
export class OutcomeTally {
  private readonly counts = new Map<string, number>();

  add(outcome: Outcome): void {
    const key = `${outcome.status} ${outcome.kind}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** How many answers had this error code (or `"ok"`). */
  count(kind: string): number {
    let total = 0;
    for (const [key, n] of this.counts) if (key.endsWith(` ${kind}`)) total += n;
    return total;
  }

  /** One line, most frequent first. */
  summary(): string {
    return [...this.counts]
      .sort((a, b) => b[1] - a[1])
      .map(([key, n]) => `${key}: ${n}`)
      .join(", ");
  }
}
