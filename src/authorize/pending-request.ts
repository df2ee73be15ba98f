/**
 * A pending authorization request travels sealed inside its own id (`authorization_request`):
 * `/oauth2/authorize` stores nothing, so an anonymous request creates no durable state, and the
 * grant's object is created only when the host application answers it.
 *
 * @see RFC 6749 §4.1.1, NIST SP 800-38D (AES-GCM)
 */
import type { ClientKind } from "../clients/record";
import type { Config } from "../config";
import type { Env } from "../env";
import { AUTHORIZATION_TTL, type PendingAuthorization } from "../grant/authorization-state";
import { grantFor } from "../grant/locate";
import { MAX_SEALED_LENGTH, seal, unseal } from "../secrets/seal";
import { serverKeys } from "../secrets/server-keys";

/** What the host application may read about a pending request (the contract's field names). */
export interface AuthorizationView {
  client_id: string;
  client_name?: string;
  scope: string;
  redirect_uri: string;
  expires_at: number;
  /** The resource servers the tokens are to be for (RFC 8707): what the consent is about. */
  resource: string[];
  /** `prompt`'s values (OIDC Core §3.1.2.1): `login` asks the host to authenticate again. */
  prompt: string[];
  max_age?: number;
  login_hint?: string;
  acr_values?: string;
  ui_locales?: string;
  client_kind: ClientKind;
}

/**
 * Seals a validated request (which lives {@link AUTHORIZATION_TTL} seconds, or until `expiresBy`
 * when that is sooner) into its id. `expiresBy` is for a request that answers something with its
 * own end, a device authorization's (RFC 8628 §3.2 `expires_in`): the host application must not
 * be shown, as still open, a request whose answer no one could collect any more.
 *
 * `undefined` when the id would be too long to open again: many long resources, hints and a
 * long state, each within its own bound, can add up to more than {@link MAX_SEALED_LENGTH}.
 * The caller refuses the request while it can still say so.
 */
export async function sealPendingRequest(
  config: Config,
  request: Omit<PendingAuthorization, "createdAt" | "expiresAt">,
  now: number,
  expiresBy?: number,
): Promise<string | undefined> {
  const expiresAt = Math.min(now + AUTHORIZATION_TTL, expiresBy ?? Infinity);
  const pending: PendingAuthorization = { ...request, createdAt: now, expiresAt };
  const id = await seal(await serverKeys(config), "authorization request", pending);
  return id.length > MAX_SEALED_LENGTH ? undefined : id;
}

/**
 * The request an id stands for, while it can still be answered; `undefined` for an id Baton did
 * not seal, or one that has expired. Whether it was answered already is the grant's to say.
 */
export async function openPendingRequest(
  config: Config,
  id: string,
  now: number,
): Promise<PendingAuthorization | undefined> {
  const pending = (await unseal(await serverKeys(config), "authorization request", id)) as
    PendingAuthorization | undefined;
  return pending !== undefined && now < pending.expiresAt ? pending : undefined;
}

/**
 * The request an id stands for while it is still waiting for its answer: open, unexpired, and
 * not yet answered (which asks the grant's object, only once the id has proved to be Baton's).
 */
export async function openUnansweredRequest(
  env: Env,
  config: Config,
  id: string,
  now: number,
): Promise<PendingAuthorization | undefined> {
  const pending = await openPendingRequest(config, id, now);
  if (pending === undefined || (await grantFor(env, config, pending.sid).wasAnswered())) return undefined;
  return pending;
}

/** The consent screen's view of a pending request. */
export function describePendingRequest(pending: PendingAuthorization): AuthorizationView {
  return {
    client_id: pending.clientId,
    ...(pending.clientName !== undefined && { client_name: pending.clientName }),
    scope: pending.scope.join(" "),
    redirect_uri: pending.redirectUri,
    expires_at: pending.expiresAt,
    resource: pending.resources ?? [],
    prompt: pending.prompt ?? [],
    ...(pending.maxAge !== undefined && { max_age: pending.maxAge }),
    ...(pending.loginHint !== undefined && { login_hint: pending.loginHint }),
    ...(pending.acrValues !== undefined && { acr_values: pending.acrValues }),
    ...(pending.uiLocales !== undefined && { ui_locales: pending.uiLocales }),
    client_kind: pending.clientKind ?? "registered",
  };
}
