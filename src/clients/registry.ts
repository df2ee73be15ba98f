/**
 * The Durable Object that owns one client's record (one object per client_id). KV cannot
 * compare-and-set, so two admin changes at once (a secret added while another is deleted) would
 * lose one; here every change is applied one at a time to the authoritative copy, then mirrored
 * to KV, where the hot paths read it. A dynamic registration starts in KV alone (see
 * clients/register.ts); the object adopts it at its first change or completed login.
 */
import { DurableObject } from "cloudflare:workers";
import { nowSeconds } from "../clock";
import { readConfig } from "../config";
import type { Env } from "../env";
import { errorName, log } from "../log";
import { AssertionIds, type AssertionIdResult } from "./assertion-ids";
import { decide, type ClientChange, type ClientChangeResult } from "./changes";
import type { ClientRecord } from "./record";
import { deleteClientRecord, fetchClientRecord, hasEnded, readClientRecord, writeClientRecord } from "./store";

const RECORD_KEY = "record";
// Set once this object has written the record: from then on its own copy (or its absence, after
// a delete) is the truth, and a stale KV read can never bring a deleted client back.
const OWNED_KEY = "owned";
// How an object that created a dynamic registration itself, as Baton once did, knew it was
// waiting for a login: its client id and when it ends. Kept so that those still end.
const LEGACY_UNCONFIRMED_KEY = "unconfirmed";
// A login was completed where KV did not show the registration yet (KV takes up to a minute or
// so to carry a write to other locations): the object tries again to adopt it.
const ADOPTION_KEY = "adoption";

/** Seconds between tries to adopt a registration KV did not show, and how many tries. */
const ADOPTION_RETRY_SECONDS = 60;
const ADOPTION_TRIES = 10;

interface LegacyUnconfirmed {
  clientId: string;
  /** Seconds since the epoch. */
  until: number;
}

interface Adoption {
  clientId: string;
  /** When to try next (seconds since the epoch), and how many tries are left after it. */
  at: number;
  left: number;
}

/** The Durable Object class behind the `CLIENT_REGISTRY` binding. */
export class ClientRegistry extends DurableObject<Env> {
  private readonly assertionIds: AssertionIds;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.assertionIds = new AssertionIds(ctx.storage.sql);
  }

  /** The authoritative record: this object's copy once it owns one, else KV's (a registration waiting for a login). */
  async read(clientId: string): Promise<ClientRecord | undefined> {
    return this.ctx.blockConcurrencyWhile(() => this.load(clientId));
  }

  /** Applies one change and mirrors the result to KV before answering. */
  async apply(clientId: string, change: ClientChange): Promise<ClientChangeResult> {
    return this.ctx.blockConcurrencyWhile(async () => {
      // A client is created under a fresh random id, so KV cannot hold it yet: reading it there
      // would be a KV read that always misses (and a slow one, a miss at the edge).
      const current = change.kind === "create" && !this.owned() ? undefined : await this.load(clientId);
      // A login kept a registration KV does not show here yet: deleting it must leave the mark
      // that keeps the adoption from bringing it back.
      if (change.kind === "delete" && current === undefined && this.adoptionPending()) {
        await this.remove(clientId);
        return { ok: true, record: undefined };
      }
      const result = decide(current, change);
      if (!result.ok) return result;
      if (result.record === undefined) await this.remove(clientId);
      else await this.keep(result.record);
      return result;
    });
  }

  /**
   * A login was completed for this client: a dynamic registration is kept from now on (the
   * object adopts it from KV, without its end). Called once the grant has accepted the login and
   * before its redirect is answered. `false` when the client no longer exists: deleted, or its
   * registration ended; a KV copy another isolate still caches must not outlive it. When KV here
   * does not show the record at all and `endsAt` (when the registration was to end, as the
   * login's request saw it) has not passed, the login was begun with it moments ago and KV has not
   * carried it here yet: the login stands, and the object adopts the record once KV shows it.
   */
  async confirm(clientId: string, endsAt?: number): Promise<boolean> {
    return this.ctx.blockConcurrencyWhile(async () => {
      const legacy = this.ctx.storage.kv.get<LegacyUnconfirmed>(LEGACY_UNCONFIRMED_KEY);
      if (legacy !== undefined) {
        // Its end has passed and its alarm has not yet run: ended, as a new registration would be.
        if (legacy.until <= nowSeconds()) {
          await this.remove(clientId);
          return false;
        }
        this.ctx.storage.kv.delete(LEGACY_UNCONFIRMED_KEY);
      }
      const record = this.owned()
        ? this.ctx.storage.kv.get<ClientRecord>(RECORD_KEY)
        : await fetchClientRecord(this.env.CLIENTS, clientId);
      const now = nowSeconds();
      if (record === undefined) {
        // Gone from KV at its end, or never shown here yet.
        if (this.owned() || (endsAt !== undefined && endsAt <= now)) return false;
        await this.adoptLater(clientId, now);
        return true;
      }
      try {
        return await this.keepForGood(record);
      } catch (error) {
        // The grant has accepted the login already: its answer must not be lost to a KV write
        // that failed, so the alarm writes it again.
        log(readConfig(this.env), "warn", "client registry write failed", { detail: errorName(error) });
        await this.adoptLater(clientId, now);
        return true;
      }
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
   * passed with no login, tries again to adopt one a login kept, and wakes again for whichever
   * comes next. An object left holding nothing of its own is deleted whole. One change at a time
   * with the others: a KV read awaited here must not let an admin's delete in between.
   */
  override async alarm(): Promise<void> {
    await this.ctx.blockConcurrencyWhile(async () => {
      const now = nowSeconds();
      try {
        await this.tend(now);
      } catch (error) {
        // A KV call failed. The runtime retries a failed alarm only a few times; this object's
        // pending work (an end, an adoption) must not be lost with it, so it wakes again.
        log(readConfig(this.env), "warn", "client registry alarm failed", { detail: errorName(error) });
        await this.ctx.storage.setAlarm((now + ADOPTION_RETRY_SECONDS) * 1000);
      }
    });
  }

  private async tend(now: number): Promise<void> {
    // An object that never kept an assertion id gets no table for them from its alarm.
    const ids = this.assertionIds.held();
    if (ids) this.assertionIds.prune(now);
    const legacy = this.ctx.storage.kv.get<LegacyUnconfirmed>(LEGACY_UNCONFIRMED_KEY);
    // Deleted even if the record already was, so that the alarm cannot fire again at once for it.
    if (legacy !== undefined && legacy.until <= now) await this.remove(legacy.clientId);
    // A registration this object adopted at a change but nobody signed in with: KV forgets it by
    // itself, and the whole object goes here. It needs no mark of the deletion: every copy of the
    // record, KV's included, says when it ended, so none can bring it back.
    const held = this.ctx.storage.kv.get<ClientRecord>(RECORD_KEY);
    if (held?.unconfirmed_until !== undefined && held.unconfirmed_until <= now) {
      await deleteClientRecord(this.env.CLIENTS, held.client_id);
      await this.deleteAll();
      return;
    }
    const adoption = this.ctx.storage.kv.get<Adoption>(ADOPTION_KEY);
    if (adoption !== undefined && adoption.at <= now) await this.adopt(adoption, now);
    const next = [
      ids ? this.assertionIds.nextExpiry() : undefined,
      this.ctx.storage.kv.get<LegacyUnconfirmed>(LEGACY_UNCONFIRMED_KEY)?.until,
      this.ctx.storage.kv.get<ClientRecord>(RECORD_KEY)?.unconfirmed_until,
      this.ctx.storage.kv.get<Adoption>(ADOPTION_KEY)?.at,
    ].filter((at) => at !== undefined);
    if (next.length > 0) await this.ctx.storage.setAlarm(Math.min(...next) * 1000);
    // Only assertion ids of a client it never owned, all expired (a dynamic private_key_jwt
    // client that authenticated before any login): nothing is left to keep.
    else if (ids && !this.owned()) await this.deleteAll();
  }

  private async deleteAll(): Promise<void> {
    await this.ctx.storage.deleteAll();
    this.assertionIds.forget();
  }

  /** One more try at adopting a registration a login kept; the last try gives up. */
  private async adopt(adoption: Adoption, now: number): Promise<void> {
    const record = this.owned()
      ? this.ctx.storage.kv.get<ClientRecord>(RECORD_KEY)
      : await fetchClientRecord(this.env.CLIENTS, adoption.clientId);
    if (record !== undefined || adoption.left === 0) {
      // After the write: should it fail, the adoption is still there to be tried again.
      await this.keepForGood(record);
      this.ctx.storage.kv.delete(ADOPTION_KEY);
    } else {
      this.ctx.storage.kv.put<Adoption>(ADOPTION_KEY, {
        ...adoption,
        at: now + ADOPTION_RETRY_SECONDS,
        left: adoption.left - 1,
      });
    }
  }

  /** Keeps `record` without its end, unless it has ended already; whether it was kept. */
  private async keepForGood(record: ClientRecord | undefined): Promise<boolean> {
    if (record === undefined || hasEnded(record)) return false;
    if (record.unconfirmed_until === undefined) return true;
    const { unconfirmed_until: _until, ...kept } = record;
    await this.keep(kept);
    return true;
  }

  /** Makes sure the alarm fires by `at` (seconds), keeping an earlier one. */
  private async wakeBy(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || at * 1000 < current) await this.ctx.storage.setAlarm(at * 1000);
  }

  /** Tries to adopt `clientId`'s record again in a minute (see {@link confirm}). */
  private async adoptLater(clientId: string, now: number): Promise<void> {
    this.ctx.storage.kv.put<Adoption>(ADOPTION_KEY, {
      clientId,
      at: now + ADOPTION_RETRY_SECONDS,
      left: ADOPTION_TRIES - 1,
    });
    await this.wakeBy(now + ADOPTION_RETRY_SECONDS);
  }

  private adoptionPending(): boolean {
    return this.ctx.storage.kv.get(ADOPTION_KEY) !== undefined;
  }

  private owned(): boolean {
    return this.ctx.storage.kv.get(OWNED_KEY) === true;
  }

  /** Makes `record` the authoritative copy and mirrors it to KV (with its end, if it has one). */
  private async keep(record: ClientRecord): Promise<void> {
    // The alarm first, so that no copy with an end is ever kept without one to end it; then KV:
    // should that fail, this copy is unchanged, so the caller's retry (an admin's, the alarm's)
    // finds the change still to make and writes KV again.
    if (record.unconfirmed_until !== undefined) await this.wakeBy(record.unconfirmed_until);
    await writeClientRecord(this.env.CLIENTS, record);
    this.ctx.storage.kv.put(OWNED_KEY, true);
    this.ctx.storage.kv.put(RECORD_KEY, record);
  }

  /** Deletes the record, here and in KV. */
  private async remove(clientId: string): Promise<void> {
    // KV first: should that fail, this copy still holds the record, so the caller's retry (an
    // admin's, the alarm's) deletes it again instead of finding nothing to delete while the copy
    // the hot paths read stays.
    await deleteClientRecord(this.env.CLIENTS, clientId);
    this.ctx.storage.kv.put(OWNED_KEY, true);
    this.ctx.storage.kv.delete(RECORD_KEY);
    this.ctx.storage.kv.delete(LEGACY_UNCONFIRMED_KEY);
    this.ctx.storage.kv.delete(ADOPTION_KEY);
  }

  /** The authoritative record: this object's copy once it owns one, else KV's; never an ended one. */
  private async load(clientId: string): Promise<ClientRecord | undefined> {
    if (!this.owned()) return readClientRecord(this.env.CLIENTS, clientId);
    const record = this.ctx.storage.kv.get<ClientRecord>(RECORD_KEY);
    return record === undefined || hasEnded(record) ? undefined : record;
  }
}
