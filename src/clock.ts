/**
 * The one clock Baton reads: whole seconds since the epoch, as JWT NumericDates are (RFC 7519 §2),
 * and milliseconds where the order of two moments within a second matters.
 */

/** Now, in whole seconds since the epoch. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Now, in milliseconds since the epoch. */
export function nowMillis(): number {
  return Date.now();
}
