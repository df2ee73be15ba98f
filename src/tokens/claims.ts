/**
 * What a grant knows about its user, and which of it each scope releases: the standard claims by
 * their scope (`profile`, `email`, `phone`, `address`), any other claim whenever `openid` is
 * granted.
 *
 * @see OIDC Core §5.1 (standard claims), §5.4 (requesting claims using scope values)
 */

type Level0 = string | number | boolean | null;
type Level1 = Level0 | Level0[] | { [name: string]: Level0 };
type Level2 = Level1 | Level1[] | { [name: string]: Level1 };

/**
 * What one claim may be: JSON nested at most three arrays or objects deep (an `address` is an
 * object of strings, a `groups` claim an array). The bound keeps the type finite for Workers RPC,
 * and the login hand-off checks it.
 */
export type ClaimValue = Level2 | Level2[] | { [name: string]: Level2 };

/** User claims the host application supplies when it completes a login. */
export type UserClaims = Record<string, ClaimValue>;

/** The standard claims each scope releases (OIDC Core §5.4). */
const CLAIMS_BY_SCOPE: ReadonlyMap<string, readonly string[]> = new Map<string, readonly string[]>([
  [
    "profile",
    [
      "name",
      "family_name",
      "given_name",
      "middle_name",
      "nickname",
      "preferred_username",
      "profile",
      "picture",
      "website",
      "gender",
      "birthdate",
      "zoneinfo",
      "locale",
      "updated_at",
    ],
  ],
  ["email", ["email", "email_verified"]],
  ["phone", ["phone_number", "phone_number_verified"]],
  ["address", ["address"]],
]);

/** Every standard claim that some scope releases. */
export const STANDARD_CLAIMS: readonly string[] = [...CLAIMS_BY_SCOPE.values()].flat();
const STANDARD = new Set(STANDARD_CLAIMS);

/**
 * Claims Baton sets itself in its tokens: a login may not supply them, in its claims or its
 * access token claims (OIDC Core §2, RFC 9068 §2.2, RFC 8693 §4.1, RFC 7800).
 */
export const RESERVED_CLAIMS: ReadonlySet<string> = new Set([
  "iss",
  "sub",
  "aud",
  "exp",
  "nbf",
  "iat",
  "jti",
  "auth_time",
  "nonce",
  "azp",
  "sid",
  "at_hash",
  "c_hash",
  "acr",
  "amr",
  "cnf",
  "client_id",
  "scope",
  "org_id",
  "act",
]);

/**
 * The claims that `scope` releases: each standard claim with its scope, every other claim when
 * `openid` is in it. Claim names come from the host application, so lookups never reach
 * Object.prototype.
 */
export function claimsForScope(claims: UserClaims, scope: readonly string[]): UserClaims {
  const released: UserClaims = {};
  for (const token of scope) {
    for (const name of CLAIMS_BY_SCOPE.get(token) ?? []) {
      if (Object.hasOwn(claims, name)) released[name] = claims[name]!;
    }
  }
  if (scope.includes("openid")) {
    for (const [name, value] of Object.entries(claims)) if (!STANDARD.has(name)) released[name] = value;
  }
  return released;
}
