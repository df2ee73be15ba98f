/** Token endpoint requests as clients send them. */
import type { TestClient } from "./clients";
import { call } from "./worker";

/** How the client authenticates. */
export type AuthStyle = "basic" | "post" | "none";

/** `Basic` credentials, each half form-urlencoded first (RFC 6749 §2.3.1). */
export function basicAuth(id: string, secret: string): string {
  const encode = (text: string) => encodeURIComponent(text).replace(/%20/g, "+");
  return `Basic ${btoa(`${encode(id)}:${encode(secret)}`)}`;
}

/** POSTs a form to the token endpoint, authenticating `client` the given way. */
export function tokenRequest(
  client: TestClient,
  params: Record<string, string>,
  style: AuthStyle = "basic",
  extraHeaders: Record<string, string> = {},
): Promise<Response> {
  const body = new URLSearchParams(params);
  const headers: Record<string, string> = { "Content-Type": "application/x-www-form-urlencoded", ...extraHeaders };
  if (style === "basic") headers.Authorization = basicAuth(client.client_id, client.client_secret!);
  else {
    body.set("client_id", client.client_id);
    if (style === "post") body.set("client_secret", client.client_secret!);
  }
  return call("/oauth2/token", { method: "POST", headers, body });
}

/** A refresh_token grant request. */
export function refresh(
  client: TestClient,
  refreshToken: string,
  extra: Record<string, string> = {},
  style: AuthStyle = client.client_secret === undefined ? "none" : "basic",
  headers: Record<string, string> = {},
) {
  return tokenRequest(client, { grant_type: "refresh_token", refresh_token: refreshToken, ...extra }, style, headers);
}
