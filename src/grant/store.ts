/**
 * A grant object's storage: one entry per phase under a fixed key, read and written with the
 * synchronous API so that a decision and its write never have an `await` between them.
 */
import { AUTHORIZATION_KEY, CODE_KEY, type IssuedCode, type PendingAuthorization } from "./authorization-state";
import { importFamilyKey } from "./refresh-token";
import { FAMILY_KEY, type FamilyState } from "./state";

/** Storage key of the marker a denied authorization request leaves until its expiry. */
const DENIED_KEY = "denied";

/** Typed access to one grant's stored phases, its alarm and its family key. */
export class GrantStore {
  // The family key never changes for the life of the object: import it once, not per refresh.
  private hmacKey: CryptoKey | undefined;

  constructor(private readonly storage: DurableObjectStorage) {}

  pending(): PendingAuthorization | undefined {
    return this.storage.kv.get<PendingAuthorization>(AUTHORIZATION_KEY);
  }

  code(): IssuedCode | undefined {
    return this.storage.kv.get<IssuedCode>(CODE_KEY);
  }

  family(): FamilyState | undefined {
    return this.storage.kv.get<FamilyState>(FAMILY_KEY);
  }

  /** Whether the authorization request was already answered (completed or denied). */
  wasAnswered(): boolean {
    return this.code() !== undefined || this.family() !== undefined || this.storage.kv.get(DENIED_KEY) !== undefined;
  }

  putPending(pending: PendingAuthorization): void {
    this.storage.kv.put(AUTHORIZATION_KEY, pending);
  }

  /** Replaces the pending request with its code, in one synchronous step. */
  replacePendingWithCode(code: IssuedCode): void {
    this.storage.kv.delete(AUTHORIZATION_KEY);
    this.storage.kv.put(CODE_KEY, code);
  }

  /**
   * Replaces the pending request with a marker, so that a later answer is "already answered"
   * (409) rather than "unknown" (404) until the request would have expired.
   */
  replacePendingWithDenial(): void {
    this.storage.kv.delete(AUTHORIZATION_KEY);
    this.storage.kv.put(DENIED_KEY, true);
  }

  /** Stores a new family, consuming the code it came from (if any) in the same step. */
  createFamily(family: FamilyState): void {
    this.storage.kv.delete(CODE_KEY);
    this.storage.kv.put(FAMILY_KEY, family);
  }

  /** Stores a rotated family. */
  putFamily(family: FamilyState): void {
    this.storage.kv.put(FAMILY_KEY, family);
  }

  /** The family's HMAC key, imported once. */
  async familyKey(family: FamilyState): Promise<CryptoKey> {
    this.hmacKey ??= await importFamilyKey(family.familyKey!);
    return this.hmacKey;
  }

  /** Wakes the object at `seconds` (epoch) to delete what has lapsed. */
  async wakeAt(seconds: number): Promise<void> {
    await this.storage.setAlarm(seconds * 1000);
  }

  /** Deletes everything: the grant is over and every token of it is dead. */
  async end(): Promise<void> {
    this.hmacKey = undefined;
    await this.storage.deleteAlarm();
    await this.storage.deleteAll();
  }
}
