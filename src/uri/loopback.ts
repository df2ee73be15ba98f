/**
 * Loopback hosts: where plain `http` is as good as `https` (the traffic never leaves the
 * machine), and where a native app's redirect may use any port.
 *
 * @see RFC 8252 §7.3 and §8.3
 */

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Whether `hostname` (as the URL parser gives it: IPv6 in brackets) is a loopback host. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname);
}
