/**
 * Scope strings: parsing, normalising and comparing.
 *
 * @see RFC 6749 §3.3 (access token scope)
 */

// scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * Parses a space-separated scope into its distinct tokens, in first-seen order; order and
 * repeated spaces do not matter. `undefined` when any token breaks RFC 6749 §3.3 syntax.
 */
export function parseScope(scope: string): string[] | undefined {
  const tokens = scope.split(" ").filter((token) => token !== "");
  if (!tokens.every((token) => SCOPE_TOKEN.test(token))) return undefined;
  return [...new Set(tokens)];
}

/** Joins scope tokens into the canonical space-separated string. */
export function formatScope(tokens: readonly string[]): string {
  return tokens.join(" ");
}

/** Whether every token of `requested` is in `granted`. @see RFC 6749 §6 */
export function isSubsetOf(requested: readonly string[], granted: readonly string[]): boolean {
  const allowed = new Set(granted);
  return requested.every((token) => allowed.has(token));
}

/** The scopes Baton always supports: OpenID Connect's (OIDC Core §5.4, §11). */
export const STANDARD_SCOPES: readonly string[] = ["openid", "profile", "email", "phone", "address", "offline_access"];

/** Every scope Baton supports: the standard ones, then those `SCOPES` adds. */
export function supportedScopes(extraScopes: readonly string[]): string[] {
  return [...new Set([...STANDARD_SCOPES, ...extraScopes])];
}
