/**
 * A grant object's storage: one entry per phase under a fixed key, read and written with the
 * synchronous API so that a decision and its write never have an `await` between them.
 */
import { nowSeconds } from "../clock";
import type { Config } from "../config";
import type { SessionIndex } from "../sessions/session-index";
import { serverKeys } from "../secrets/server-keys";
import { CODE_KEY, type IssuedCode } from "./authorization-state";
import type { DeviceAuthorization } from "./device";
import { familyMacKeys } from "./refresh-token";
import { FAMILY_KEY, type FamilyState } from "./state";

/**
 * Storage key of the marker an answered authorization request leaves: the time (seconds) until
 * which its sealed request would still open, so that a second answer is "already answered" (409)
 * and never a second code, even after the grant itself has ended.
 */
const ANSWERED_KEY = "answered";
/** Storage key of a device authorization (RFC 8628), from its request to its first tokens. */
const DEVICE_KEY = "device";

/** Told of each family that someone ended (revocation, logout, reuse), never of one that lapsed. */
export type RevocationListener = (family: FamilyState) => void;

/** Typed access to one grant's stored phases, its alarm and its family's MAC keys. */
export class GrantStore {
  // The family's MAC keys never change for the life of the object: derive them once, not per
  // refresh.
  private macKeys: Promise<CryptoKey[]> | undefined;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly config: () => Config,
    private readonly index: SessionIndex,
    private readonly onRevoked: RevocationListener = () => {},
  ) {}

  code(): IssuedCode | undefined {
    return this.storage.kv.get<IssuedCode>(CODE_KEY);
  }

  family(): FamilyState | undefined {
    return this.storage.kv.get<FamilyState>(FAMILY_KEY);
  }

  device(): DeviceAuthorization | undefined {
    return this.storage.kv.get<DeviceAuthorization>(DEVICE_KEY);
  }

  putDevice(device: DeviceAuthorization): void {
    this.storage.kv.put(DEVICE_KEY, device);
  }

  /**
   * Until when the authorization request counts as answered (seconds); `undefined` if never. An
   * approval keeps it inside the code and then the family (one row written each, not two); a
   * denial, or a grant that has ended, under its own key.
   */
  answeredUntil(family: FamilyState | undefined = this.family()): number | undefined {
    return this.storage.kv.get<number>(ANSWERED_KEY) ?? this.code()?.answeredUntil ?? family?.answeredUntil;
  }

  /** Whether the authorization request was already answered (completed or denied). */
  wasAnswered(): boolean {
    // The code and the family carry the marker themselves; only its own key is left to look at.
    return this.code() !== undefined || this.family() !== undefined || this.storage.kv.get(ANSWERED_KEY) !== undefined;
  }

  /** Records the answer to a request that would open until `until`, with its code when approved. */
  putAnswer(until: number, code: IssuedCode | undefined): void {
    if (code !== undefined) this.storage.kv.put(CODE_KEY, { ...code, answeredUntil: until });
    else this.storage.kv.put(ANSWERED_KEY, until);
  }

  /**
   * Stores a new family, consuming the code it came from (if any) in the same step, once its
   * user's index knows it. `false` (and nothing stored) when its user was signed out everywhere
   * after the login, which happened at `loggedInAt` (ms).
   */
  async createFamily(family: FamilyState, endsBy: number, loggedInAt: number, now: number): Promise<boolean> {
    if (!(await this.index.add(this.config(), family, endsBy, loggedInAt, now))) return false;
    this.storage.kv.delete(CODE_KEY);
    this.storage.kv.delete(DEVICE_KEY);
    this.storage.kv.put(FAMILY_KEY, family);
    return true;
  }

  /** Stores a rotated family. */
  putFamily(family: FamilyState): void {
    this.storage.kv.put(FAMILY_KEY, family);
  }

  /** The family's refresh-token MAC keys (the first mints), derived once. */
  familyKeys(family: FamilyState, config: Config): Promise<CryptoKey[]> {
    if (this.macKeys === undefined) {
      const keys = serverKeys(config).then((server) => familyMacKeys(server, family.familyKey!));
      // A failed derivation is not kept: the next operation tries again.
      keys.catch(() => {
        if (this.macKeys === keys) this.macKeys = undefined;
      });
      this.macKeys = keys;
    }
    return this.macKeys;
  }

  /** Wakes the object at `seconds` (epoch) to delete what has lapsed. */
  async wakeAt(seconds: number): Promise<void> {
    await this.storage.setAlarm(seconds * 1000);
  }

  /**
   * Ends the grant because someone ended it (a revocation, a logout, a reused token or code):
   * as {@link end}, after which the listener learns of the family, if there was one. A lapse
   * (expiry, the alarm) calls {@link end} and tells no one. A caller that has just read the
   * family passes it, so that it is not read again (an `undefined` passed is read again).
   */
  async revoke(family: FamilyState | undefined = this.family()): Promise<void> {
    await this.end(family);
    if (family !== undefined) this.onRevoked(family);
  }

  /**
   * Deletes everything: the grant is over and every token of it is dead. Only the answered
   * marker survives while its request could still be answered, and goes with its own alarm.
   * `family` is the stored family, as for {@link revoke}.
   */
  async end(family: FamilyState | undefined = this.family()): Promise<void> {
    const answeredUntil = this.answeredUntil(family);
    this.macKeys = undefined;
    // Its alarm goes too: deleteAll() deletes the alarm from compatibility date 2026-02-24 on.
    await this.storage.deleteAll();
    if (answeredUntil !== undefined && nowSeconds() < answeredUntil) {
      this.storage.kv.put(ANSWERED_KEY, answeredUntil);
      await this.wakeAt(answeredUntil);
    }
    if (family !== undefined) await this.index.remove(this.config(), family);
  }
}
