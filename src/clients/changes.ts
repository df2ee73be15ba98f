/**
 * The changes the admin API makes to a client record, and how each is decided on the
 * authoritative copy: one at a time, in the client's registry object (clients/registry.ts), so
 * that two changes at once never lose one another.
 *
 * @see RFC 7592 (client configuration, which the admin API's changes resemble)
 */
import { OAuthError, type OAuthErrorCode } from "../errors";
import { validateClientMetadata, type MetadataSettings } from "./metadata";
import { usesSecret, type ClientRecord, type StoredSecret } from "./record";

/** A change to a client record, applied atomically. */
export type ClientChange =
  | { kind: "create"; record: ClientRecord }
  | { kind: "add_secret"; secret: StoredSecret; maxSecrets: number }
  | { kind: "remove_secret"; secretId: string }
  /** Metadata members to replace (`null` removes an optional one), validated as at creation. */
  | { kind: "update"; patch: Record<string, unknown>; settings: MetadataSettings }
  | { kind: "delete" };

/** The record after the change, or why it was refused. */
export type ClientChangeResult =
  | { ok: true; record: ClientRecord | undefined }
  | { ok: false; reason: "not_found" | "exists" | "too_many_secrets" | "no_such_secret" | "last_secret" }
  | { ok: false; reason: "invalid"; error: OAuthErrorCode; description: string };

/** What `change` makes of `current` (`undefined`: there is none), or why it is refused. */
export function decide(current: ClientRecord | undefined, change: ClientChange): ClientChangeResult {
  if (change.kind === "create") {
    return current === undefined ? { ok: true, record: change.record } : { ok: false, reason: "exists" };
  }
  if (current === undefined) return { ok: false, reason: "not_found" };
  switch (change.kind) {
    case "delete":
      return { ok: true, record: undefined };
    case "update":
      return updated(current, change.patch, change.settings);
    case "add_secret":
      if (current.secrets.length >= change.maxSecrets) return { ok: false, reason: "too_many_secrets" };
      return { ok: true, record: { ...current, secrets: [...current.secrets, change.secret] } };
    case "remove_secret": {
      const remaining = current.secrets.filter((secret) => secret.id !== change.secretId);
      if (remaining.length === current.secrets.length) return { ok: false, reason: "no_such_secret" };
      // A confidential client with no secret can never authenticate again. Decided here, on the
      // authoritative copy and one change at a time, so two deletions of the last two secrets
      // cannot both see one left.
      if (remaining.length === 0 && usesSecret(current)) return { ok: false, reason: "last_secret" };
      return { ok: true, record: { ...current, secrets: remaining } };
    }
  }
}

/**
 * The record with `patch` applied, checked as a new registration would be. Decided here, on the
 * authoritative copy, so two updates at once never lose one another's members.
 */
function updated(
  current: ClientRecord,
  patch: Record<string, unknown>,
  settings: MetadataSettings,
): ClientChangeResult {
  const {
    client_id: clientId,
    client_id_issued_at: issuedAt,
    secrets,
    client_kind: kind,
    unconfirmed_until: until,
    ...metadata
  } = current;
  const merged: Record<string, unknown> = { ...metadata };
  for (const [name, value] of Object.entries(patch)) {
    // Set on a plain object, this name would replace its prototype; it is no client metadata.
    if (name === "__proto__") continue;
    if (value === null) delete merged[name];
    else merged[name] = value;
  }
  let next: ReturnType<typeof validateClientMetadata>;
  try {
    next = validateClientMetadata(merged, "admin", settings);
  } catch (error) {
    if (error instanceof OAuthError)
      return { ok: false, reason: "invalid", error: error.code, description: error.description };
    throw error;
  }
  // Secrets are what a client holds: switching to or from them would leave it unable to
  // authenticate, or holding secrets nothing checks.
  if (usesSecret(next) !== usesSecret(current)) {
    return {
      ok: false,
      reason: "invalid",
      error: "invalid_client_metadata",
      description: "token_endpoint_auth_method cannot change between a secret and no secret; register a new client.",
    };
  }
  return {
    ok: true,
    record: {
      client_id: clientId,
      client_id_issued_at: issuedAt,
      ...next,
      secrets,
      ...(kind !== undefined && { client_kind: kind }),
      ...(until !== undefined && { unconfirmed_until: until }),
    },
  };
}
