/**
 * What a grant knows about its user, and which of it each scope releases.
 *
 * @see OIDC Core §5.4 (requesting claims using scope values)
 */

/** User claims the host application supplies when it completes a login. */
export interface UserClaims {
  email?: string;
  email_verified?: boolean;
  name?: string;
  given_name?: string;
  family_name?: string;
}

// A Map, not an object literal: scope tokens are client input, and "constructor" or "__proto__"
// must find nothing rather than a member of Object.prototype.
const CLAIMS_BY_SCOPE: ReadonlyMap<string, readonly (keyof UserClaims)[]> = new Map<
  string,
  readonly (keyof UserClaims)[]
>([
  ["profile", ["name", "given_name", "family_name"]],
  ["email", ["email", "email_verified"]],
]);

/** The claims that `scope` releases, in a stable order. */
export function claimsForScope(claims: UserClaims, scope: readonly string[]): UserClaims {
  const released: Record<string, unknown> = {};
  for (const token of scope) {
    for (const name of CLAIMS_BY_SCOPE.get(token) ?? []) {
      if (claims[name] !== undefined) released[name] = claims[name];
    }
  }
  return released as UserClaims;
}
