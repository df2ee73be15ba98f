/**
 * What one request's log line says about it beyond route and status. Handlers fill in what they
 * learn; only identifiers that are safe to keep belong here, never a token, secret, code or
 * personal claim.
 */
export interface RequestTrace {
  /** The authenticated client. */
  clientId?: string;
  /** The token endpoint's grant type, once it is known to be supported. */
  grant?: string;
  /** The error code of a refusal answered without throwing (an error redirect, an HTML page). */
  outcome?: string;
}
