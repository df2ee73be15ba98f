/**
 * Turns a refusal from a grant's Durable Object into the RFC 6749 §5.2 error the client sees.
 * The reason is for the log; the client gets a fixed description that reveals no more than the
 * error code does (RFC 6749 §10.6: which check failed is not the client's business).
 */
import { OAuthError, serverError } from "../errors";
import type { GrantFailure } from "../grant/grant";

/** The error for a refused grant operation. */
export function grantFailureError(failure: GrantFailure): OAuthError {
  switch (failure.error) {
    case "invalid_grant":
      return new OAuthError(
        "invalid_grant",
        "The grant is invalid, expired, revoked, or was issued to another client.",
      );
    case "invalid_scope":
      return new OAuthError("invalid_scope", "The requested scope exceeds the scope granted.");
    case "server_error":
      return serverError();
  }
}
