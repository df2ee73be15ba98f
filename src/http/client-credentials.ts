/**
 * Extracting client credentials from a token-endpoint request.
 *
 * @see RFC 6749 §2.3.1 (client password), §2.3 (one method per request)
 */
import type { ClientCredentials } from "../clients/authenticate";
import { invalidClient, invalidRequest } from "../errors";
import type { Params } from "./params";

/**
 * Reads `client_secret_basic` or `client_secret_post` credentials, or a lone `client_id` (a
 * public client). Both Basic and body credentials at once is `invalid_request`.
 */
export function readClientCredentials(request: Request, params: Params): ClientCredentials {
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

function parseBasic(header: string): { clientId: string; clientSecret: string | undefined } {
  const match = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header);
  if (match === null) throw invalidClient("The Authorization header is not valid Basic credentials.");
  let decoded: string;
  try {
    decoded = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(
      Uint8Array.from(atob(match[1]!), (c) => c.charCodeAt(0)),
    );
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
