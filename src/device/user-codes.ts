/**
 * The Durable Object of one user code (one object per code): which grant the code stands for,
 * for as long as it lives. A person types the code a moment after the device asked for it,
 * perhaps on another continent: the lookup has to be strongly consistent, which KV is not.
 *
 * @see RFC 8628 §3.3
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

const ENTRY_KEY = "entry";

interface Entry {
  sid: string;
  expiresAt: number;
}

/** The Durable Object class behind the `USER_CODES` binding. */
export class UserCodes extends DurableObject<Env> {
  /** Takes the code for `sid` until `expiresAt`; `false` when a live grant holds it already. */
  async claim(sid: string, expiresAt: number, now: number): Promise<boolean> {
    const entry = this.ctx.storage.kv.get<Entry>(ENTRY_KEY);
    if (entry !== undefined && now < entry.expiresAt) return false;
    this.ctx.storage.kv.put(ENTRY_KEY, { sid, expiresAt });
    await this.ctx.storage.setAlarm(expiresAt * 1000);
    return true;
  }

  /** The grant the code stands for while it lives. */
  lookup(now: number): string | undefined {
    const entry = this.ctx.storage.kv.get<Entry>(ENTRY_KEY);
    return entry !== undefined && now < entry.expiresAt ? entry.sid : undefined;
  }

  /** Forgets the code at its expiry; nothing sweeps. */
  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }
}
