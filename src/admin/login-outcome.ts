/**
 * Reading the host application's answer to an authorization request
 * (`POST /admin/authorizations/ID/complete`).
 */
import { invalidRequest } from "../errors";
import type { LoginOutcome } from "../grant/authorization-state";
import { parseScope } from "../scope";
import type { UserClaims } from "../tokens/claims";

const STRING_CLAIMS = ["email", "name", "given_name", "family_name"] as const;

/**
 * Validates `{subject, claims, organization_id, scope, auth_time}`. Unknown members and unknown
 * claims are ignored; a known one of the wrong type is `invalid_request`.
 */
export function readLoginOutcome(body: Record<string, unknown>, now: number): LoginOutcome {
  const subject = body.subject;
  if (typeof subject !== "string" || subject.length === 0 || subject.length > 255) {
    invalidRequest("subject must be a string of 1 to 255 characters.");
  }
  const outcome: LoginOutcome = { subject, claims: readClaims(body.claims) };
  if (body.organization_id !== undefined && body.organization_id !== null) {
    if (
      typeof body.organization_id !== "string" ||
      body.organization_id.length === 0 ||
      body.organization_id.length > 200
    ) {
      invalidRequest("organization_id must be a string of 1 to 200 characters.");
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
    outcome.authTime = authTime;
  }
  return outcome;
}

function readClaims(value: unknown): UserClaims {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) invalidRequest("claims must be an object.");
  const input = value as Record<string, unknown>;
  const claims: UserClaims = {};
  for (const name of STRING_CLAIMS) {
    const claim = input[name];
    if (claim === undefined || claim === null) continue;
    if (typeof claim !== "string" || claim.length > 320) invalidRequest(`claims.${name} must be a string.`);
    claims[name] = claim;
  }
  if (input.email_verified !== undefined && input.email_verified !== null) {
    if (typeof input.email_verified !== "boolean") invalidRequest("claims.email_verified must be a boolean.");
    claims.email_verified = input.email_verified;
  }
  return claims;
}
