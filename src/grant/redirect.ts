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
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) url.searchParams.append(name, value);
  if (state !== undefined) url.searchParams.append("state", state);
  url.searchParams.append("iss", issuer);
  return url.toString();
}
