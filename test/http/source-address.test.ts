/**
 * The source address per-source limits count under: `CF-Connecting-IP`, with an IPv6 address cut
 * to its /64, the block one subscriber or host is given (RFC 6177), so that its 2^64 addresses are
 * one source and not 2^64 of them.
 */
import { describe, expect, it } from "vitest";
import { sourceAddress, sourceNetwork } from "../../src/http/source-address";

function from(address?: string): string {
  return sourceAddress(
    new Request("https://auth.example/", address === undefined ? {} : { headers: { "CF-Connecting-IP": address } }),
  );
}

describe("the source of a request", () => {
  it("is an IPv4 address as it came", () => {
    expect(from("203.0.113.7")).toBe("203.0.113.7");
  });

  it("is unknown where no edge set the header", () => {
    expect(from()).toBe("unknown");
  });

  it.each([
    ["2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"],
    ["2001:0DB8:0001:0002:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"],
    ["2001:db8:1:2::1", "2001:db8:1:2::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["2001:db8:1::", "2001:db8:1:0::/64"],
    ["::1", "0:0:0:0::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
    ["2001:db8:1:2:3:4:198.51.100.1", "2001:db8:1:2::/64"],
  ])("is the /64 of the IPv6 address %s", (address, source) => {
    expect(from(address)).toBe(source);
  });

  it("is one source for every address of a /64, and another for the next /64", () => {
    expect(from("2001:db8:a:b:1::")).toBe(from("2001:db8:a:b:ffff:1:2:3"));
    expect(from("2001:db8:a:b::1")).not.toBe(from("2001:db8:a:c::1"));
  });

  it("is the IPv4 address of an IPv4-mapped IPv6 one", () => {
    expect(from("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(from("::FFFF:cb00:7107")).toBe("203.0.113.7");
  });

  it.each(["2001:db8::1::2", "2001:db8:1:2:3:4:5:6:7", "2001:db8:zz::1", "1:2:3:4:5:6:7", "::1.2.3.999"])(
    "is the header as it came when %s does not parse as IPv6",
    (address) => {
      expect(from(address)).toBe(address);
    },
  );

  it("belongs to the /48 of its IPv6 address, and to none for IPv4", () => {
    const network = (address: string): string | undefined => sourceNetwork(from(address));
    expect(network("2001:db8:a:b:1::")).toBe("2001:db8:a::/48");
    expect(network("2001:db8:a:ffff::1")).toBe(network("2001:db8:a:1::1"));
    expect(network("2001:db8::1")).toBe("2001:db8:0::/48");
    expect(network("203.0.113.7")).toBeUndefined();
    expect(network("::ffff:203.0.113.7")).toBeUndefined();
    expect(network("2001:db8::zz")).toBeUndefined();
  });
});
