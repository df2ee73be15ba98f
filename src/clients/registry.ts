/**
 * The Durable Object that owns one client's record (one object per client_id). KV cannot
 * compare-and-set, so two admin changes at once (a secret added while another is deleted) would
 * lose one; here every change is applied one at a time to the authoritative copy, then mirrored
 * to KV, where the hot paths read it. A dynamic registration starts in KV alone (see
 * clients/register.ts); the object adopts it at its first change or completed login.
 */
import { DurableObject } from "cloudflare:workers";
import { OAuthError, type OAuthErrorCode } from "../errors";
import { validateClientMetadata, type MetadataSettings } from "./metadata";
import { nowSeconds } from "../clock";
import type { Env } from "../env";
import { AssertionIds, type AssertionIdResult } from "./assertion-ids";
import { usesSecret, type ClientRecord, type StoredSecret } from "./record";
import { deleteClientRecord, hasEnded, readClientRecord, writeClientRecord } from "./store";

const RECORD_KEY = "record";
// Set once this object has written the record: from then on its own copy (or its absence, after
// a delete) is the truth, and a stale KV read can never bring a deleted client back.
const OWNED_KEY = "owned";
// How an object that created a dynamic registration itself, as Baton once did, knew it was
// waiting for a login: its client id and when it ends. Kept so that those still end.
const LEGACY_UNCONFIRMED_KEY = "unconfirmed";

interface LegacyUnconfirmed {
  clientId: string;
  /** Seconds since the epoch. */
  until: number;
}

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

/** The Durable Object class behind the `CLIENT_REGISTRY` binding. */
export class ClientRegistry extends DurableObject<Env> {
  private readonly assertionIds: AssertionIds;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.assertionIds = new AssertionIds(ctx.storage.sql);
  }

  /** The authoritative record (adopting one that exists only in KV, e.g. seeded by hand). */
  async read(clientId: string): Promise<ClientRecord | undefined> {
    return this.ctx.blockConcurrencyWhile(() => this.load(clientId));
  }

  /** Applies one change and mirrors the result to KV before answering. */
  async apply(clientId: string, change: ClientChange): Promise<ClientChangeResult> {
    return this.ctx.blockConcurrencyWhile(async () => {
      // A client is created under a fresh random id, so KV cannot hold it yet: reading it there
      // would be a KV read that always misses (and a slow one, a miss at the edge).
      const current =
        change.kind === "create" && this.ctx.storage.kv.get(OWNED_KEY) !== true ? undefined : await this.load(clientId);
      const result = decide(current, change);
      if (!result.ok) return result;
      if (result.record === undefined) await this.remove(clientId);
      else await this.keep(result.record);
      return result;
    });
  }

  /**
   * A login was completed for this client: a dynamic registration is kept from now on (the
   * object adopts it from KV, without its end). Called before the login's code is issued, so no
   * client a person signed in with is ever deleted. `false` when the client no longer exists:
   * deleted, or its registration ended; a KV copy another isolate still caches must not outlive it.
   */
  async confirm(clientId: string): Promise<boolean> {
    return this.ctx.blockConcurrencyWhile(async () => {
      this.ctx.storage.kv.delete(LEGACY_UNCONFIRMED_KEY);
      const record = await this.load(clientId);
      if (record === undefined) return false;
      if (record.unconfirmed_until !== undefined) {
        const { unconfirmed_until: _until, ...kept } = record;
        await this.keep(kept);
      }
      return true;
    });
  }

  /**
   * Records the hash of a verified assertion's `jti` until `expiresAt` (seconds): `ok` the first
   * time, `replayed` ever after while it is kept (RFC 7523 §3 item 7).
   */
  async useAssertionId(jtiHash: string, expiresAt: number): Promise<AssertionIdResult> {
    const result = this.assertionIds.use(jtiHash, expiresAt, nowSeconds());
    if (result.ok) await this.wakeBy(expiresAt);
    return result;
  }

  /**
   * Forgets the assertion ids that have expired, deletes a dynamic registration whose week has
   * passed with no login, and wakes again for whichever comes next.
   */
  override async alarm(): Promise<void> {
    const now = nowSeconds();
    // An object that never kept an assertion id gets no table for them from its alarm.
    const ids = this.assertionIds.held();
    if (ids) this.assertionIds.prune(now);
    const legacy = this.ctx.storage.kv.get<LegacyUnconfirmed>(LEGACY_UNCONFIRMED_KEY);
    if (legacy !== undefined && legacy.until <= now) {
      await this.apply(legacy.clientId, { kind: "delete" });
      // Gone even if the record already was, so that the alarm cannot fire again at once for it.
      this.ctx.storage.kv.delete(LEGACY_UNCONFIRMED_KEY);
    }
    // A registration this object adopted at a change but nobody signed in with: KV forgets it by
    // itself, this copy is deleted here.
    const held = this.ctx.storage.kv.get<ClientRecord>(RECORD_KEY);
    if (held?.unconfirmed_until !== undefined && held.unconfirmed_until <= now) await this.remove(held.client_id);
    const next = [
      ids ? this.assertionIds.nextExpiry() : undefined,
      this.ctx.storage.kv.get<LegacyUnconfirmed>(LEGACY_UNCONFIRMED_KEY)?.until,
      this.ctx.storage.kv.get<ClientRecord>(RECORD_KEY)?.unconfirmed_until,
    ];
    const soonest = Math.min(...next.filter((at) => at !== undefined));
    if (Number.isFinite(soonest)) await this.ctx.storage.setAlarm(soonest * 1000);
  }

  /** Makes sure the alarm fires by `at` (seconds), keeping an earlier one. */
  private async wakeBy(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || at * 1000 < current) await this.ctx.storage.setAlarm(at * 1000);
  }

  /** Makes `record` the authoritative copy and mirrors it to KV (with its end, if it has one). */
  private async keep(record: ClientRecord): Promise<void> {
    this.ctx.storage.kv.put(OWNED_KEY, true);
    this.ctx.storage.kv.put(RECORD_KEY, record);
    if (record.unconfirmed_until !== undefined) await this.wakeBy(record.unconfirmed_until);
    await writeClientRecord(this.env.CLIENTS, record);
  }

  /** Deletes the record, here and in KV. */
  private async remove(clientId: string): Promise<void> {
    this.ctx.storage.kv.put(OWNED_KEY, true);
    // KV first: should that fail, this copy still holds the record, so the caller's retry (an
    // admin's, the alarm's) deletes it again instead of finding nothing to delete while the copy
    // the hot paths read stays.
    await deleteClientRecord(this.env.CLIENTS, clientId);
    this.ctx.storage.kv.delete(RECORD_KEY);
    this.ctx.storage.kv.delete(LEGACY_UNCONFIRMED_KEY);
  }

  /** The authoritative record: this object's copy once it owns one, else KV's; never an ended one. */
  private async load(clientId: string): Promise<ClientRecord | undefined> {
    if (this.ctx.storage.kv.get(OWNED_KEY) !== true) return readClientRecord(this.env.CLIENTS, clientId);
    const record = this.ctx.storage.kv.get<ClientRecord>(RECORD_KEY);
    return record === undefined || hasEnded(record) ? undefined : record;
  }
}

function decide(current: ClientRecord | undefined, change: ClientChange): ClientChangeResult {
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
