/**
 * Extracting client credentials from a token-endpoint request.
 *
 * @see RFC 6749 §2.3.1 (client password), §2.3 (one method per request), RFC 7521 §4.2 and
 * RFC 7523 §2.2 (client assertions)
 */
import type { AssertionCredentials, ClientCredentials } from "../clients/authenticate";
import { invalidClient, invalidRequest } from "../errors";
import { assertionClientId } from "../tokens/client-assertion";
import type { Params } from "./params";

/** The one assertion type Baton accepts (RFC 7523 §2.2). */
export const JWT_BEARER_ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/**
 * Reads `client_secret_basic` or `client_secret_post` credentials, a `private_key_jwt`
 * assertion, or a lone `client_id` (a public client). Two methods at once is `invalid_request`.
 */
export function readClientCredentials(request: Request, params: Params): ClientCredentials {
  if (params.has("client_assertion") || params.has("client_assertion_type")) return readAssertion(request, params);
  const header = request.headers.get("Authorization");
  if (header === null) {
    const clientId = params.get("client_id");
    if (clientId === undefined) throw invalidClient("Client authentication is required.");
    return { clientId, clientSecret: params.get("client_secret"), viaBasic: false };
  }
  const basic = parseBasic(header);
  if (params.has("client_secret")) {
    invalidRequest("Use only one client authentication method.");
  }
  const bodyClientId = params.get("client_id");
  if (bodyClientId !== undefined && bodyClientId !== basic.clientId) {
    invalidRequest("The client_id in the body does not match the Authorization header.");
  }
  return { ...basic, viaBasic: true };
}

/**
 * An assertion names its client by `sub` (= `iss`); a `client_id` beside it must be the same
 * (RFC 7521 §4.2). An assertion type other than JWT bearer, or none, is a method Baton does not
 * support, and a type without an assertion is no authentication: both `invalid_client`, as a
 * malformed assertion is (RFC 6749 §5.2, RFC 7523 §3.2).
 */
function readAssertion(request: Request, params: Params): AssertionCredentials {
  if (request.headers.has("Authorization") || params.has("client_secret")) {
    invalidRequest("Use only one client authentication method.");
  }
  if (params.get("client_assertion_type") !== JWT_BEARER_ASSERTION) {
    throw invalidClient("The client assertion type is not supported.");
  }
  const assertion = params.get("client_assertion");
  if (assertion === undefined) throw invalidClient("Client authentication is required.");
  const clientId = assertionClientId(assertion);
  if (clientId === undefined) throw invalidClient("The client assertion is not a valid JWT naming its client.");
  const bodyClientId = params.get("client_id");
  if (bodyClientId !== undefined && bodyClientId !== clientId) {
    invalidRequest("The client_id in the body does not match the client assertion.");
  }
  return { clientId, assertion };
}

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

function parseBasic(header: string): { clientId: string; clientSecret: string | undefined } {
  const match = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header);
  if (match === null) throw invalidClient("The Authorization header is not valid Basic credentials.");
  let decoded: string;
  try {
    // Forgiving as `atob` is: padding may be left off, and stray low bits are dropped.
    decoded = UTF8.decode(Uint8Array.fromBase64(match[1]!));
  } catch {
    throw invalidClient("The Authorization header is not valid Basic credentials.");
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) throw invalidClient("The Authorization header is not valid Basic credentials.");
  // RFC 6749 §2.3.1: both halves are form-urlencoded before base64.
  const clientId = formDecode(decoded.slice(0, colon));
  const clientSecret = formDecode(decoded.slice(colon + 1));
  if (clientId === undefined || clientSecret === undefined || clientId === "") {
    throw invalidClient("The Authorization header is not valid Basic credentials.");
  }
  // An empty secret counts as absent (RFC 6749 §3.1): a public client may send `id:`.
  if (clientSecret === "") return { clientId, clientSecret: undefined };
  return { clientId, clientSecret };
}

function formDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}
