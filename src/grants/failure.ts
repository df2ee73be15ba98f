/**
 * Turns a refusal from a grant's Durable Object into the RFC 6749 §5.2 error the client sees.
 * The reason is for the log; the client gets a fixed description that reveals no more than the
 * error code does (RFC 6749 §10.6: which check failed is not the client's business). The one
 * exception tells a client when it may try again: at the token endpoint, a session that holds as
 * many live DPoP proofs as it keeps answers 429 with `Retry-After`, as a client's registry object
 * does.
 */
import { replayedProof, tooManyProofs } from "../dpop/request-proof";
import { OAuthError, serverError } from "../errors";
import type { GrantFailure } from "../grant/grant";

/** The error for a refused grant operation. */
export function grantFailureError(failure: GrantFailure): OAuthError {
  switch (failure.error) {
    case "invalid_grant":
      return invalidGrant();
    case "invalid_scope":
      return new OAuthError("invalid_scope", "The requested scope exceeds the scope granted.");
    case "invalid_target":
      return invalidTarget();
    case "authorization_pending":
      return new OAuthError("authorization_pending", "The user has not answered yet; poll again later.");
    case "slow_down":
      return new OAuthError("slow_down", "Polling too often; wait five seconds more between polls.");
    case "access_denied":
      return new OAuthError("access_denied", "The user denied the request.");
    case "expired_token":
      return new OAuthError("expired_token", "The device code has expired; start again.");
    case "invalid_dpop_proof":
      return failure.reason === "replayed" ? replayedProof() : tooManyProofs(failure.retryAfter);
    case "server_error":
      return serverError();
  }
}

/** `invalid_target`: a resource that is not valid, not served, or not the grant's. @see RFC 8707 §2 */
export function invalidTarget(): OAuthError {
  return new OAuthError("invalid_target", "The requested resource is not valid or not allowed here.");
}

/**
 * The one `invalid_grant` answer, whatever the reason: also for a token or code that is not
 * Baton's at all, refused before any I/O.
 */
export function invalidGrant(): OAuthError {
  return new OAuthError("invalid_grant", "The grant is invalid, expired, revoked, or was issued to another client.");
}
