/**
 * The local rate limiting binding counts in windows aligned to the wall clock, so a run that
 * straddles a window's end proves nothing: {@link withinOneWindow} repeats it from another source.
 */

const PERIOD_MS = 60_000;

/**
 * A source address no other request of the run has: random in the IPv6 documentation range
 * 2001:db8::/32 (RFC 3849), whose 96 free bits make a collision out of the question.
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
