/**
 * Validating an authorization request against its client.
 *
 * @see RFC 6749 §4.1.1 and §4.1.2.1, RFC 7636 §4.3, OIDC Core §3.1.2.1
 */
import { isConfidential, type ClientRecord } from "../clients/record";
import { isS256Challenge } from "../grant/pkce";
import { acceptResources } from "../resources/resource-uri";
import { isSubsetOf, parseScope } from "../scope";

/** The longest `state` accepted (RFC 6749 sets no limit; a bound keeps redirects small). */
export const MAX_STATE_LENGTH = 2048;

/** A request refused with a redirect to the client (RFC 6749 §4.1.2.1). */
export class AuthorizationRedirectError extends Error {
  constructor(
    readonly code: string,
    readonly description: string,
  ) {
    super(code);
    this.name = "AuthorizationRedirectError";
  }
}

/** A validated request, ready to wait for the login. */
export interface ValidAuthorizationRequest {
  scope: string[];
  /** The resource servers asked for (RFC 8707), checked; absent when none. */
  resources?: string[];
  /** `prompt`'s values other than `none` (which is refused), for the host application. */
  prompt?: string[];
  /** RFC 9449 §10: the DPoP key whose proof must redeem the code. */
  dpopJkt?: string;
  /** OIDC Core §3.1.2.1: how old, in seconds, the user's authentication may be. */
  maxAge?: number;
  loginHint?: string;
  acrValues?: string;
  uiLocales?: string;
  state?: string;
  nonce?: string;
  codeChallenge?: string;
}

function refuse(code: string, description: string): never {
  throw new AuthorizationRedirectError(code, description);
}

/**
 * Checks every parameter after `client_id` and `redirect_uri` (which the caller has already
 * matched exactly, since an error can only be redirected to a registered URI).
 *
 * @throws AuthorizationRedirectError with the RFC 6749 §4.1.2.1 error code.
 */
export function validateAuthorizationRequest(
  client: ClientRecord,
  params: URLSearchParams,
  repeated: ReadonlySet<string>,
  configuredResources: readonly string[] | undefined,
): ValidAuthorizationRequest {
  if (repeated.size > 0) refuse("invalid_request", "A parameter was given more than once.");
  const get = (name: string) => (params.get(name) === "" ? undefined : (params.get(name) ?? undefined));
  if (get("request") !== undefined) refuse("request_not_supported", "Request objects are not supported.");
  if (get("request_uri") !== undefined) refuse("request_uri_not_supported", "request_uri is not supported.");
  const responseType = get("response_type");
  if (responseType === undefined) refuse("invalid_request", "The response_type parameter is required.");
  if (responseType !== "code") refuse("unsupported_response_type", "Only response_type=code is supported.");
  if (!client.grant_types.includes("authorization_code")) {
    refuse("unauthorized_client", "The client is not allowed to use the authorization code flow.");
  }
  const responseMode = get("response_mode");
  if (responseMode !== undefined && responseMode !== "query")
    refuse("invalid_request", "Only response_mode=query is supported.");
  // RFC 6749 §3.3: an omitted scope means the client's registered one (MCP clients omit it when
  // the resource server's challenge named none).
  const asked = parseScope(get("scope") ?? "");
  if (asked === undefined) refuse("invalid_scope", "The scope parameter is malformed.");
  // Only spaces is as good as absent.
  const scope = asked.length > 0 ? asked : (parseScope(client.scope) ?? []);
  if (scope.length === 0) refuse("invalid_scope", "No scope was asked for, and the client has none registered.");
  if (!isSubsetOf(scope, parseScope(client.scope) ?? [])) {
    refuse("invalid_scope", "The requested scope exceeds what the client may ask for.");
  }
  const codeChallenge = readCodeChallenge(client, get("code_challenge"), get("code_challenge_method"));
  const state = get("state");
  const nonce = get("nonce");
  if (state !== undefined && state.length > MAX_STATE_LENGTH)
    refuse("invalid_request", "The state parameter is too long.");
  if (nonce !== undefined && nonce.length > 512) refuse("invalid_request", "The nonce parameter is too long.");
  const prompt = readPrompt(get("prompt"));
  const resources = readResources(params, configuredResources);
  const hints = readLoginHints(get);
  const dpopJkt = get("dpop_jkt");
  // A JWK SHA-256 thumbprint (RFC 7638) is the base64url of 32 bytes.
  if (dpopJkt !== undefined && !/^[A-Za-z0-9_-]{43}$/.test(dpopJkt)) {
    refuse("invalid_request", "dpop_jkt must be a JWK SHA-256 thumbprint.");
  }
  return {
    ...hints,
    ...(dpopJkt !== undefined && { dpopJkt }),
    // OIDC Core §11: offline_access may be ignored; a client that cannot use the refresh_token
    // grant would only be handed a refresh token it can never redeem.
    scope: client.grant_types.includes("refresh_token") ? scope : scope.filter((token) => token !== "offline_access"),
    ...(resources.length > 0 && { resources }),
    ...(prompt.length > 0 && { prompt }),
    ...(state !== undefined && { state }),
    ...(nonce !== undefined && { nonce }),
    ...(codeChallenge !== undefined && { codeChallenge }),
  };
}

/**
 * The `prompt` values OIDC defines: Core's four, and `create` (Initiating User Registration via
 * OpenID Connect 1.0 §4), which asks the host application to show its sign-up page.
 */
const PROMPT_VALUES: ReadonlySet<string> = new Set(["none", "login", "consent", "select_account", "create"]);

/**
 * `prompt`'s values, for the host application: those of a space-delimited list that OIDC
 * defines. Any other value is dropped, never handed on (nothing unchecked reaches the consent
 * screen) and never refused: OIDC Core's errata advise ignoring values not understood, so that
 * new ones can be phased in. A repeated value counts once.
 *
 * @see OIDC Core §3.1.2.1
 */
function readPrompt(value: string | undefined): string[] {
  const values = [...new Set(value?.split(" ").filter((token) => PROMPT_VALUES.has(token)) ?? [])];
  if (values.includes("none")) {
    // OIDC Core §3.1.2.1: none with any other value is an error.
    if (values.length > 1) refuse("invalid_request", "prompt=none cannot be combined with other values.");
    refuse("login_required", "Baton cannot authenticate the user without showing the login page.");
  }
  return values;
}

/** What the host application's login page is told, as the client sent it (OIDC Core §3.1.2.1). */
function readLoginHints(get: (name: string) => string | undefined) {
  const maxAge = get("max_age");
  if (maxAge !== undefined && !/^\d{1,10}$/.test(maxAge)) {
    refuse("invalid_request", "max_age must be a whole number of seconds.");
  }
  const text = (name: string) => {
    const value = get(name);
    if (value !== undefined && (value.length > 512 || /[\p{Cc}\p{Cf}]/u.test(value))) {
      refuse("invalid_request", `The ${name} parameter is too long or holds control characters.`);
    }
    return value;
  };
  const loginHint = text("login_hint");
  const acrValues = text("acr_values");
  const uiLocales = text("ui_locales");
  return {
    ...(maxAge !== undefined && { maxAge: Number(maxAge) }),
    ...(loginHint !== undefined && { loginHint }),
    ...(acrValues !== undefined && { acrValues }),
    ...(uiLocales !== undefined && { uiLocales }),
  };
}

function readResources(params: URLSearchParams, configured: readonly string[] | undefined): string[] {
  const requested = params.getAll("resource").filter((value) => value !== "");
  if (requested.length === 0) return [];
  return (
    acceptResources(configured, requested) ??
    refuse("invalid_target", "The requested resource is not valid or not allowed here.")
  );
}

function readCodeChallenge(client: ClientRecord, challenge?: string, method?: string): string | undefined {
  if (challenge === undefined) {
    if (method !== undefined) refuse("invalid_request", "code_challenge_method was given without code_challenge.");
    // RFC 9700 §2.1.1: public clients must use PKCE.
    if (!isConfidential(client))
      refuse("invalid_request", "PKCE (code_challenge with S256) is required for this client.");
    return undefined;
  }
  // An absent method means "plain" (RFC 7636 §4.3), which Baton does not offer.
  if (method !== "S256") refuse("invalid_request", "Only the S256 code_challenge_method is supported.");
  if (!isS256Challenge(challenge)) refuse("invalid_request", "The code_challenge is malformed.");
  return challenge;
}
