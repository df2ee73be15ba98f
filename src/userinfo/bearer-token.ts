/**
 * Reading the bearer access token of a protected-resource request, and the errors of RFC 6750
 * §3 with their `WWW-Authenticate` challenges.
 *
 * @see RFC 6750 §2 (sending the token), §3 (the challenge and its error codes)
 */
import { OAuthError } from "../errors";
import { BodyReadError } from "../http/body";
import { readParams } from "../http/params";

/** The challenge of a request that carried no bearer token at all: no error code (RFC 6750 §3.1). */
export const BEARER_CHALLENGE = "Bearer";

// token68 (RFC 9110 §11.2), the syntax of a bearer token (RFC 6750 §2.1).
const BEARER_HEADER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const BEARER_SCHEME = /^Bearer(?: |$)/i;

/** 401 for a request without any bearer token. */
export function missingToken(): OAuthError {
  return new OAuthError("invalid_token", "A bearer access token is required.", 401, {
    "WWW-Authenticate": BEARER_CHALLENGE,
  });
}

/** 401 `invalid_token`: malformed, unknown, expired, revoked, or issued to a client that is gone. */
export function invalidToken(): OAuthError {
  return new OAuthError("invalid_token", "The access token is invalid, expired or revoked.", 401, {
    "WWW-Authenticate": 'Bearer error="invalid_token"',
  });
}

/** 403 `insufficient_scope`, naming the scope that would do (RFC 6750 §3). */
export function insufficientScope(scope: string): OAuthError {
  return new OAuthError("insufficient_scope", "The access token does not carry the scope this requires.", 403, {
    "WWW-Authenticate": `Bearer error="insufficient_scope", scope="${scope}"`,
  });
}

function bearerInvalidRequest(description: string, status = 400): OAuthError {
  return new OAuthError("invalid_request", description, status, {
    "WWW-Authenticate": 'Bearer error="invalid_request"',
  });
}

/**
 * The access token from the `Authorization: Bearer` header or, for a form-encoded POST, the
 * `access_token` body parameter; `undefined` when the request carries none.
 *
 * @throws OAuthError `invalid_request` when the token is in the query string (RFC 9700 §2.4 rules
 *   that out) or sent twice (RFC 6750 §2); `invalid_token` for a malformed `Bearer` header.
 */
export async function readBearerToken(request: Request, url: URL): Promise<string | undefined> {
  if (url.searchParams.has("access_token")) {
    throw bearerInvalidRequest("Access tokens are not accepted in the query string.");
  }
  const fromHeader = headerToken(request.headers.get("Authorization"));
  const fromBody = await bodyToken(request, url);
  if (fromHeader !== undefined && fromBody !== undefined) {
    throw bearerInvalidRequest("Send the access token in one place only.");
  }
  return fromHeader ?? fromBody;
}

function headerToken(header: string | null): string | undefined {
  // Another scheme (Basic, say) is "no bearer token": RFC 6750 §3.1 asks for no error code then.
  if (header === null || !BEARER_SCHEME.test(header)) return undefined;
  const match = BEARER_HEADER.exec(header);
  if (match === null) throw invalidToken();
  return match[1]!;
}

async function bodyToken(request: Request, url: URL): Promise<string | undefined> {
  const mediaType = request.headers.get("Content-Type")?.split(";", 1)[0]!.trim().toLowerCase();
  // RFC 6750 §2.2: only a form-encoded POST body may carry the token.
  if (request.method !== "POST" || mediaType !== "application/x-www-form-urlencoded") return undefined;
  try {
    return (await readParams(request, url)).get("access_token");
  } catch (error) {
    // The body's own refusals (size, repeats, encoding) are a resource server's invalid_request;
    // a body that broke off is the client's disconnection, and stays that in the log.
    if (error instanceof OAuthError && error.code === "invalid_request" && !(error instanceof BodyReadError)) {
      throw bearerInvalidRequest(error.description, error.status);
    }
    throw error;
  }
}
