/**
 * The `jti`s of one client's assertions, kept until each assertion expires, so that none
 * authenticates twice. Stored in the client's registry object (SQLite), which decides one
 * request at a time: of two requests carrying the same assertion, exactly one sees it unused.
 * Only hashes are kept, and only of assertions whose signature verified, so nobody without the
 * client's key can add a row.
 *
 * @see RFC 7523 §3 item 7, OIDC Core §9 (`jti`)
 */

/** The most `jti`s kept for one client at once: over 60 a second for five minutes. */
export const MAX_ASSERTION_IDS = 20_000;

/** Whether an assertion id was fresh, or why it cannot be used. */
export type AssertionIdResult =
  | { ok: true }
  | { ok: false; reason: "replayed" }
  /** Too many live assertions: the earliest frees its place in `retryAfter` seconds. */
  | { ok: false; reason: "full"; retryAfter: number };

/** One client's used assertion ids, in its registry object's SQLite storage. */
export class AssertionIds {
  // The number of rows, counted once per object lifetime and then kept in step with each write,
  // so that a check does not read every row.
  private count: number | undefined;
  private ready = false;

  constructor(private readonly sql: SqlStorage) {}

  /**
   * Creates the table the first time this object needs it. Most clients never send an assertion
   * or a DPoP proof: their objects then hold no such table, which halves what an ordinary
   * client's object stores (a table and its index are a page each) and what creating it writes.
   */
  private table(): SqlStorage {
    if (!this.ready) {
      this.sql.exec(
        "CREATE TABLE IF NOT EXISTS assertion_ids (hash TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID",
      );
      this.sql.exec("CREATE INDEX IF NOT EXISTS assertion_ids_by_expiry ON assertion_ids (expires_at)");
      this.ready = true;
    }
    return this.sql;
  }

  /**
   * Records `hash` (of a `jti`) until `expiresAt` (seconds) unless it is already recorded.
   * Synchronous from check to write, so nothing else runs in between.
   */
  use(hash: string, expiresAt: number, now: number): AssertionIdResult {
    this.prune(now);
    if (this.table().exec("SELECT 1 FROM assertion_ids WHERE hash = ?", hash).toArray().length > 0) {
      return { ok: false, reason: "replayed" };
    }
    const count = this.size();
    if (count >= MAX_ASSERTION_IDS) {
      return { ok: false, reason: "full", retryAfter: Math.max(1, (this.nextExpiry() ?? now) - now) };
    }
    this.sql.exec("INSERT INTO assertion_ids (hash, expires_at) VALUES (?, ?)", hash, expiresAt);
    this.count = count + 1;
    return { ok: true };
  }

  /** After the object's storage was deleted whole: the table is gone, and made again if needed. */
  forget(): void {
    this.ready = false;
    this.count = undefined;
  }

  /** Whether this object has ever kept an id (its table exists); one that has not needs no pruning. */
  held(): boolean {
    if (this.ready) return true;
    return (
      this.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'assertion_ids'").toArray().length > 0
    );
  }

  /** Forgets every id whose assertion has expired by `now`. */
  prune(now: number): void {
    const removed = this.table()
      .exec("DELETE FROM assertion_ids WHERE expires_at <= ? RETURNING 1", now)
      .toArray().length;
    if (this.count !== undefined) this.count -= removed;
  }

  private size(): number {
    this.count ??= this.table().exec<{ n: number }>("SELECT count(*) AS n FROM assertion_ids").one().n;
    return this.count;
  }

  /** When the earliest kept id expires (seconds), or `undefined` when none is kept. */
  nextExpiry(): number | undefined {
    const row = this.table().exec<{ at: number | null }>("SELECT min(expires_at) AS at FROM assertion_ids").one();
    return row.at ?? undefined;
  }
}
