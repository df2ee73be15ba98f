/**
 * The redirect back to the client that ends an authorization request.
 *
 * @see RFC 6749 §4.1.2 and §4.1.2.1, RFC 9207 (the `iss` parameter)
 */

/** `redirectUri` with the given parameters, `state` and `iss` added to its query. */
export function redirectWith(
  redirectUri: string,
  params: Record<string, string>,
  state: string | undefined,
  issuer: string,
): string {
  const added = new URLSearchParams(params);
  if (state !== undefined) added.append("state", state);
  added.append("iss", issuer);
  // Appended as text: re-serialising the URL would re-encode the registered query, which RFC
  // 6749 §3.1.2 says must be retained (a client may compare it character for character).
  return `${redirectUri}${redirectUri.includes("?") ? "&" : "?"}${added.toString()}`;
}
