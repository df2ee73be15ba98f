/**
 * Reading the host application's answer to an authorization request
 * (`POST /admin/authorizations/ID/complete`).
 */
import { invalidRequest } from "../errors";
import type { LoginOutcome } from "../grant/authorization-state";
import { parseScope } from "../scope";
import { hasControlCharacter, isAddressableSubject } from "../sessions/subject";
import { RESERVED_CLAIMS, STANDARD_CLAIMS, type ClaimValue, type UserClaims } from "../tokens/claims";

/**
 * Validates `{subject, claims, access_token_claims, organization_id, scope, auth_time}`. Unknown
 * members are ignored; a claim Baton sets itself, a standard claim of the wrong type, or more than
 * 4 KiB of claims is `invalid_request`, never silently dropped.
 */
export function readLoginOutcome(body: Record<string, unknown>, now: number): LoginOutcome {
  const subject = body.subject;
  if (typeof subject !== "string" || subject.length === 0 || subject.length > 255) {
    invalidRequest("subject must be a string of 1 to 255 characters.");
  }
  if (!isAddressableSubject(subject)) {
    invalidRequest('subject must not be "." or "..", nor hold an unpaired surrogate.');
  }
  if (hasControlCharacter(subject)) invalidRequest("subject must not hold a control character.");
  const claims = readClaims(body.claims, "claims");
  const accessTokenClaims = readClaims(body.access_token_claims, "access_token_claims");
  checkSize(claims, accessTokenClaims);
  const outcome: LoginOutcome = {
    subject,
    claims,
    ...(Object.keys(accessTokenClaims).length > 0 && { accessTokenClaims }),
  };
  if (body.organization_id !== undefined && body.organization_id !== null) {
    if (
      typeof body.organization_id !== "string" ||
      body.organization_id.length === 0 ||
      body.organization_id.length > 200
    ) {
      invalidRequest("organization_id must be a string of 1 to 200 characters.");
    }
    if (hasControlCharacter(body.organization_id)) {
      invalidRequest("organization_id must not hold a control character.");
    }
    outcome.organizationId = body.organization_id;
  }
  if (body.scope !== undefined && body.scope !== null) {
    const scope = typeof body.scope === "string" ? parseScope(body.scope) : undefined;
    // A scope that is not a scope string is a malformed body; invalid_scope is kept for a
    // well-formed scope that exceeds the request.
    if (scope === undefined || scope.length === 0) invalidRequest("scope must be a space-separated string.");
    outcome.scope = scope;
  }
  if (body.auth_time !== undefined && body.auth_time !== null) {
    const authTime = body.auth_time;
    // A minute of slack for the host application's clock.
    if (typeof authTime !== "number" || !Number.isInteger(authTime) || authTime < 0 || authTime > now + 60) {
      invalidRequest("auth_time must be a time in seconds, not in the future.");
    }
    // A time within that slack is taken as now: an ID token's auth_time after its iat would
    // claim a login that had not happened yet when the token was signed.
    outcome.authTime = Math.min(authTime, now);
  }
  return outcome;
}

/** Claims whose type the standard fixes (OIDC Core §5.1); other standard claims are strings. */
const BOOLEAN_CLAIMS = new Set(["email_verified", "phone_number_verified"]);
const NUMBER_CLAIMS = new Set(["updated_at"]);
const OBJECT_CLAIMS = new Set(["address"]);
/** The most claims and access token claims may weigh together, as JSON. */
const MAX_CLAIMS_BYTES = 4096;

/**
 * Reads `claims` or `access_token_claims`: any claim but those Baton sets itself (refused, never
 * dropped), standard ones with their standard type, JSON nested at most three levels.
 */
function readClaims(value: unknown, member: "claims" | "access_token_claims"): UserClaims {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) invalidRequest(`${member} must be an object.`);
  const claims: UserClaims = {};
  for (const [name, claim] of Object.entries(value as Record<string, unknown>)) {
    if (RESERVED_CLAIMS.has(name)) invalidRequest(`${member} may not set a claim Baton sets itself.`);
    if (name.length === 0 || name.length > 255) invalidRequest(`${member} names must be 1 to 255 characters.`);
    // Set on a plain object, this name would replace its prototype, not add a claim.
    if (name === "__proto__") invalidRequest(`${member} may not have a claim named __proto__.`);
    if (claim === undefined || claim === null) continue;
    if (!hasStandardType(name, claim)) invalidRequest(`${member}.${safeName(name)} has the wrong type.`);
    if (nestsDeeper(claim, 3)) invalidRequest(`${member} may nest at most three levels deep.`);
    claims[name] = claim as ClaimValue;
  }
  return claims;
}

function hasStandardType(name: string, claim: unknown): boolean {
  if (BOOLEAN_CLAIMS.has(name)) return typeof claim === "boolean";
  if (NUMBER_CLAIMS.has(name)) return typeof claim === "number" && Number.isFinite(claim);
  if (OBJECT_CLAIMS.has(name)) return typeof claim === "object" && claim !== null && !Array.isArray(claim);
  if (STANDARD_CLAIMS.includes(name)) return typeof claim === "string" && claim.length <= 2048;
  return true;
}

/**
 * Whether `value` nests more than `limit` levels of arrays and objects. It stops at the first
 * level past the limit, so a body nested thousands deep is refused, not a stack overflow.
 */
function nestsDeeper(value: unknown, limit: number): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (limit === 0) return true;
  const children = Array.isArray(value) ? value : Object.values(value);
  return children.some((child) => nestsDeeper(child, limit - 1));
}

// The error description is a fixed sentence: a claim name is echoed only when it is a standard
// one, which the description then merely repeats from the standard.
function safeName(name: string): string {
  return STANDARD_CLAIMS.includes(name) ? name : "(a claim)";
}

/** Refuses claims and access token claims that weigh more than 4 KiB together. */
function checkSize(claims: UserClaims, accessTokenClaims: UserClaims): void {
  const bytes = new TextEncoder().encode(JSON.stringify([claims, accessTokenClaims])).length;
  if (bytes > MAX_CLAIMS_BYTES)
    invalidRequest("claims and access_token_claims may hold at most 4 KiB of JSON together.");
}
