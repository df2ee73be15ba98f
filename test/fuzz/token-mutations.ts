/**
 * Near-valid tokens: real refresh tokens, codes and JWTs with one thing wrong (a character
 * flipped, cut short, extended, a byte of the payload changed with the encoding kept canonical,
 * parts of two tokens spliced), so that a token reaches the checks behind the format check.
 */
import fc from "fast-check";

const BASE64URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/** Characters outside base64url that a client or a proxy might put into a token. */
const FOREIGN_CHARACTERS = [" ", "+", "/", "=", ".", "%", "&", "\t", "\u00e9", "\u200b", "\ufeff", "\u{1f4a5}", "\0"];

/** One change to a token; printed as it is when a property fails. */
export type Mutation =
  | { kind: "replace"; at: number; char: string }
  | { kind: "truncate"; keep: number }
  | { kind: "extend"; suffix: string }
  | { kind: "insert"; at: number; text: string }
  | { kind: "delete"; at: number }
  | { kind: "prefix"; prefix: string }
  | { kind: "byte"; at: number; xor: number }
  | { kind: "splice"; donor: number; at: number }
  | { kind: "jws"; part: "header-none" | "no-signature" | "swap-signature" | "two-parts"; donor: number };

/** Mutations of a token; `donor` indexes another real token for splices. */
export const mutationArbitrary: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant("replace"), at: fc.nat(), char: fc.constantFrom(...BASE64URL_ALPHABET) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("replace"), at: fc.nat(), char: fc.constantFrom(...FOREIGN_CHARACTERS) }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("truncate"), keep: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("extend"),
      suffix: fc.oneof(
        fc.string({ unit: fc.constantFrom(...BASE64URL_ALPHABET), minLength: 1, maxLength: 8 }),
        fc.constantFrom(...FOREIGN_CHARACTERS),
        fc.constantFrom("=", "==", "\n", "A".repeat(4096)),
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("insert"),
      at: fc.nat(),
      text: fc.oneof(fc.constantFrom(...BASE64URL_ALPHABET), fc.constantFrom(...FOREIGN_CHARACTERS)),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("delete"), at: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("prefix"),
      prefix: fc.constantFrom("", "rt_", "ac_", "RT_", "rt-", "ey", "Bearer "),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant("byte"), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("splice"), donor: fc.nat(), at: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("jws"),
      part: fc.constantFrom("header-none", "no-signature", "swap-signature", "two-parts"),
      donor: fc.nat(),
    }),
  },
) as fc.Arbitrary<Mutation>;

/** Applies `mutation` to `token`; `donors` are the other real tokens a splice borrows from. */
export function mutate(token: string, mutation: Mutation, donors: readonly string[]): string {
  const at = (n: number, length = token.length) => (length === 0 ? 0 : n % length);
  switch (mutation.kind) {
    case "replace": {
      const i = at(mutation.at);
      return token.slice(0, i) + mutation.char + token.slice(i + 1);
    }
    case "truncate":
      return token.slice(0, at(mutation.keep));
    case "extend":
      return token + mutation.suffix;
    case "insert": {
      const i = at(mutation.at, token.length + 1);
      return token.slice(0, i) + mutation.text + token.slice(i);
    }
    case "delete": {
      const i = at(mutation.at);
      return token.slice(0, i) + token.slice(i + 1);
    }
    case "prefix":
      return mutation.prefix + token.slice(3);
    case "byte":
      return flipByte(token, mutation.at, mutation.xor);
    case "splice": {
      const donor = donors[at(mutation.donor, donors.length)] ?? "";
      const i = at(mutation.at);
      return token.slice(0, i) + donor.slice(i);
    }
    case "jws":
      return mutateJws(token, mutation.part, donors[at(mutation.donor, donors.length)] ?? "");
  }
}

/**
 * XORs one decoded byte and encodes again canonically: the sid, the generation or the MAC of a
 * refresh token, the secret of a code, or one byte of a JWT part changes while the format holds.
 */
function flipByte(token: string, at: number, xor: number): string {
  const dot = token.lastIndexOf(".");
  // JWT: change a byte of one part. Opaque tokens: a byte after the three-character prefix.
  const [head, body] = dot >= 0 ? [token.slice(0, dot + 1), token.slice(dot + 1)] : [token.slice(0, 3), token.slice(3)];
  const bytes = decodeBase64url(body);
  if (bytes === undefined || bytes.length === 0) return token + "A";
  bytes[at % bytes.length]! ^= xor;
  return head + encodeBase64url(bytes);
}

function mutateJws(
  token: string,
  part: "header-none" | "no-signature" | "swap-signature" | "two-parts",
  donor: string,
) {
  const [header = "", payload = "", signature = ""] = token.split(".");
  switch (part) {
    case "header-none":
      return `${encodeBase64url(new TextEncoder().encode('{"alg":"none","typ":"at+jwt"}'))}.${payload}.`;
    case "no-signature":
      return `${header}.${payload}.`;
    case "swap-signature":
      return `${header}.${payload}.${donor.split(".")[2] ?? signature.slice(1)}`;
    case "two-parts":
      return `${header}.${payload}`;
  }
}

/**
 * Whether `candidate` is, to a JWS verifier, the very token `original`: decoders read base64url
 * leniently (stray low bits in the last character, whitespace), so two spellings of one
 * signature verify alike. Such a spelling is not a forgery and may be accepted.
 */
export function sameJws(original: string, candidate: string): boolean {
  const a = original.split(".");
  const b = candidate.split(".");
  if (a.length !== 3 || b.length !== 3 || a[0] !== b[0] || a[1] !== b[1]) return false;
  const left = lenientDecode(a[2]!);
  const right = lenientDecode(b[2]!);
  return left !== undefined && right !== undefined && left.join() === right.join();
}

function lenientDecode(text: string): Uint8Array | undefined {
  try {
    return Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

function decodeBase64url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  return lenientDecode(text);
}

function encodeBase64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}
