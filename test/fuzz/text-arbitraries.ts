/** Generated text: for header values, for parameters that must parse, and of every kind. */
import fc from "fast-check";

/**
 * Characters for header values: ASCII without NUL, CR and LF, which the Fetch standard refuses
 * (workerd would send bytes above 0x7F as UTF-8, with a warning per request).
 */
export const headerCharacter = fc
  .integer({ min: 0x01, max: 0x7e })
  .filter((c) => c !== 0x0a && c !== 0x0d)
  .map((c) => String.fromCharCode(c));

/** Short strings of every kind: ASCII, any Unicode (lone surrogates included), control bytes. */
export const randomText = fc.oneof(
  fc.string({ maxLength: 24 }),
  fc.string({ unit: "binary", maxLength: 24 }),
  fc.string({
    unit: fc.constantFrom("\0", "\u0001", "%", "+", "&", "=", "\\", '"', "\ud800", "\udfff", "\ufeff"),
    maxLength: 8,
  }),
);

/** Printable ASCII: random, but valid in every encoding, so it gets past the parsing. */
export const plainText = fc.string({ minLength: 1, maxLength: 24 });
