/**
 * The one error type of the OAuth surface and its rendering.
 *
 * @see RFC 6749 §5.2 (error response)
 */

/** Error codes Baton answers with. */
export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unauthorized_client"
  | "unsupported_grant_type"
  | "invalid_scope"
  | "invalid_target"
  | "invalid_token"
  | "invalid_client_metadata"
  | "invalid_redirect_uri"
  | "access_denied"
  | "login_required"
  | "authorization_pending"
  | "slow_down"
  | "expired_token"
  | "invalid_dpop_proof"
  | "use_dpop_nonce"
  | "not_found"
  | "conflict"
  | "unsupported_response_type"
  | "insufficient_scope"
  | "temporarily_unavailable"
  | "server_error";

// V8's own setting (not in the Workers types): how many frames a new Error captures.
declare global {
  interface ErrorConstructor {
    stackTraceLimit: number;
  }
}

/**
 * An error that the client is meant to see. `description` is always a fixed string chosen by
 * Baton: it never echoes input (RFC 6749 §5.2 limits it to ASCII without `"` or `\`).
 *
 * It carries no stack: it is an answer, not a bug, and is rendered, never logged. A device's
 * every early poll, a DPoP client's first request and each refused credential make one, and
 * capturing the frames cost about 3 µs of each (measured in workerd, twelve calls deep).
 */
export class OAuthError extends Error {
  readonly code: OAuthErrorCode;
  readonly description: string;
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(code: OAuthErrorCode, description: string, status = 400, headers: Record<string, string> = {}) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(`${code}: ${description}`);
    Error.stackTraceLimit = limit;
    this.name = "OAuthError";
    this.code = code;
    this.description = description;
    this.status = status;
    this.headers = headers;
  }
}

/**
 * Headers every token-related JSON answer carries: never cached (RFC 6749 §5.1), and never
 * sniffed by a browser into a type that runs (a description or a claim read as HTML).
 */
export const NO_STORE_HEADERS: Readonly<Record<string, string>> = {
  "Content-Type": "application/json",
  "Cache-Control": "no-store",
  Pragma: "no-cache",
  "X-Content-Type-Options": "nosniff",
};

/** Renders an {@link OAuthError} as the JSON body of RFC 6749 §5.2. */
export function renderOAuthError(error: OAuthError): Response {
  const body = JSON.stringify({ error: error.code, error_description: error.description });
  return new Response(body, {
    status: error.status,
    headers: { ...NO_STORE_HEADERS, ...error.headers },
  });
}

/** Throws an `invalid_request` error; typed `never` so a check is one line at the call site. */
export function invalidRequest(description: string, status = 400): never {
  throw new OAuthError("invalid_request", description, status);
}

/** The challenge of every 401 `invalid_client` (RFC 9110 §15.5.2). */
export const BASIC_CHALLENGE = 'Basic realm="Baton"';

/** The `invalid_client` error, 401 with its challenge. @see RFC 6749 §5.2 */
export function invalidClient(description = "Client authentication failed."): OAuthError {
  return new OAuthError("invalid_client", description, 401, { "WWW-Authenticate": BASIC_CHALLENGE });
}

/** The answer for anything that is Baton's fault: the detail goes to the log, never the client. */
export function serverError(): OAuthError {
  return new OAuthError("server_error", "The server could not complete the request.", 500);
}
