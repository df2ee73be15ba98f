/**
 * The local rate limiting binding counts in windows aligned to the wall clock, so a run that
 * straddles a window's end proves nothing: {@link withinOneWindow} repeats it from another source.
 */

const PERIOD_MS = 60_000;

/**
 * A source no other request of the run has: an address random in the IPv6 documentation range
 * 2001:db8::/32 (RFC 3849). Baton counts an IPv6 source by its /64, so the 32 random bits of the
 * prefix are what keep two apart: among a run's few hundred, a collision is about 1 in 10^5.
 */
export function freshSource(): string {
  const groups = Array.from(crypto.getRandomValues(new Uint16Array(6)), (group) => group.toString(16));
  return `2001:db8:${groups.join(":")}`;
}

/** Runs `attempts` from a fresh source inside one window of the limiter. */
export async function withinOneWindow<T>(attempts: (source: string) => Promise<T>): Promise<T> {
  for (let run = 0; run < 3; run++) {
    const window = Math.floor(Date.now() / PERIOD_MS);
    const result = await attempts(freshSource());
    if (Math.floor(Date.now() / PERIOD_MS) === window) return result;
  }
  throw new Error("three runs in a row straddled a rate-limit window");
}
