/**
 * The source a request came from, as Cloudflare's edge reports it. Used only to keep one
 * source's failed attempts, and the work it asks for, from affecting another's.
 *
 * An IPv6 source is its /64 prefix, the smallest block a site or a host is given (RFC 6177,
 * RFC 8273): counting full addresses would hand anyone with a /64 2^64 separate budgets.
 *
 * @see https://developers.cloudflare.com/fundamentals/reference/http-headers/#cf-connecting-ip
 */

/**
 * `CF-Connecting-IP`, IPv6 addresses cut to their /64 (`2001:db8:1:2::/64`; an IPv4-mapped one
 * is its IPv4 address), or `"unknown"` where nothing sets it (a local request built in code).
 */
export function sourceAddress(request: Request): string {
  const address = request.headers.get("CF-Connecting-IP");
  if (address === null) return "unknown";
  return address.includes(":") ? ipv6Source(address) : address;
}

/**
 * The IPv6 /48 of a {@link sourceAddress} (`2001:db8:1::/48`), the largest block RFC 6177 has an
 * end site given, and what a free tunnel broker hands anyone; `undefined` for an IPv4 source (an
 * IPv4-mapped one included) or none. For what is guessed, a /48's 65,536 /64s are counted whole.
 */
export function sourceNetwork(source: string): string | undefined {
  if (!source.endsWith("::/64")) return undefined;
  return `${source.split(":").slice(0, 3).join(":")}::/48`;
}

/** The /64 of an IPv6 address; the address as it came when it does not parse as one. */
export function ipv6Source(address: string): string {
  const groups = ipv6Groups(address.toLowerCase());
  if (groups === undefined) return address;
  // ::ffff:a.b.c.d is an IPv4 client reached over IPv6: the same source as a.b.c.d.
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join(".");
  }
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(":")}::/64`;
}

const GROUP = /^[0-9a-f]{1,4}$/;
const DOTTED = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The eight 16-bit groups of an IPv6 address (RFC 4291 §2.2), or `undefined`. */
function ipv6Groups(address: string): number[] | undefined {
  const halves = address.split("%", 1)[0]!.split("::");
  if (halves.length > 2) return undefined;
  const head = parts(halves[0]!);
  const tail = halves.length === 2 ? parts(halves[1]!) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  return [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
}

function parts(text: string): number[] | undefined {
  if (text === "") return [];
  const pieces = text.split(":");
  const groups: number[] = [];
  for (const [index, piece] of pieces.entries()) {
    const dotted = index === pieces.length - 1 ? DOTTED.exec(piece) : null;
    if (dotted !== null) {
      const bytes = dotted.slice(1).map(Number);
      if (bytes.some((byte) => byte > 255)) return undefined;
      groups.push((bytes[0]! << 8) | bytes[1]!, (bytes[2]! << 8) | bytes[3]!);
    } else if (GROUP.test(piece)) {
      groups.push(parseInt(piece, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}
