/**
 * Reading an RP-initiated logout request: the query of a GET, or the form body of a POST
 * (RP-Initiated Logout §2), strictly. Every refusal is a {@link LogoutRefusal}, which the
 * endpoint shows as a page: the request comes from a browser, not from a client's code.
 *
 * @see OpenID Connect RP-Initiated Logout 1.0 §2 and §3
 */
import { OAuthError } from "../errors";
import { readParams } from "../http/params";

/** What a logout request asks. Empty values count as absent (RFC 6749 §3.1 reads them so). */
export interface LogoutRequest {
  idTokenHint?: string;
  clientId?: string;
  postLogoutRedirectUri?: string;
  state?: string;
  /**
   * Whether the user confirmed on Baton's own page: the page's form, posted from Baton's own
   * origin. A client cannot confirm for the user by adding the field itself.
   */
  confirmed: boolean;
}

/** A logout request that is refused with a page, and why (a fixed string, never input). */
export class LogoutRefusal extends Error {
  constructor(
    /** The error code the request's log line records. */
    readonly outcome: string,
    readonly reason: string,
    readonly status = 400,
  ) {
    super(reason);
    this.name = "LogoutRefusal";
  }
}

/** Throws a {@link LogoutRefusal}; typed `never` so that each check is one line. */
export function refuse(outcome: string, reason: string, status = 400): never {
  throw new LogoutRefusal(outcome, reason, status);
}

/** The longest `state` sent back: a bound keeps the redirect small (the same as authorize's). */
export const MAX_STATE_LENGTH = 2048;

/** The field of Baton's confirmation form, and its one value. */
export const CONFIRM_FIELD = "confirm";
const CONFIRM_VALUE = "yes";

/**
 * Reads the request's parameters: a GET's query, a POST's form body (any other media type, a
 * body that does not parse, or a parameter given twice is refused).
 */
export async function readLogoutRequest(request: Request, url: URL): Promise<LogoutRequest> {
  const get = request.method === "POST" ? await formBody(request, url) : queryOf(url);
  const state = get("state");
  if (state !== undefined && state.length > MAX_STATE_LENGTH) refuse("invalid_request", "The state is too long.");
  return {
    ...optional("idTokenHint", get("id_token_hint")),
    ...optional("clientId", get("client_id")),
    ...optional("postLogoutRedirectUri", get("post_logout_redirect_uri")),
    ...optional("state", state),
    confirmed: request.method === "POST" && get(CONFIRM_FIELD) === CONFIRM_VALUE && fromOwnPage(request, url),
  };
}

/**
 * Whether a form was posted from a page of Baton's own origin: Fetch Metadata says so, or, from a
 * browser that sends none (or through a proxy that drops it), the `Origin` every browser gives a
 * form's POST. A page elsewhere can forge neither.
 *
 * @see https://www.w3.org/TR/fetch-metadata/, RFC 6454 §7 (`Origin`)
 */
function fromOwnPage(request: Request, url: URL): boolean {
  const site = request.headers.get("Sec-Fetch-Site");
  if (site !== null) return site === "same-origin";
  return request.headers.get("Origin") === url.origin;
}

type Lookup = (name: string) => string | undefined;

function queryOf(url: URL): Lookup {
  const names = [...url.searchParams.keys()];
  if (new Set(names).size !== names.length) refuse("invalid_request", "A parameter was given more than once.");
  return (name) => url.searchParams.get(name) || undefined;
}

async function formBody(request: Request, url: URL): Promise<Lookup> {
  const mediaType = request.headers.get("Content-Type")?.split(";", 1)[0]!.trim().toLowerCase();
  if (mediaType !== "application/x-www-form-urlencoded") {
    refuse("invalid_request", "The body must be application/x-www-form-urlencoded.");
  }
  try {
    const params = await readParams(request, url);
    return (name) => params.get(name);
  } catch (error) {
    // Size, encoding and repeats: the body parser's own fixed descriptions, shown on the page.
    if (error instanceof OAuthError && error.code === "invalid_request") {
      refuse("invalid_request", error.description, error.status);
    }
    throw error;
  }
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}
