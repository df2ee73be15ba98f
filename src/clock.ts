/** The one clock Baton reads: whole seconds since the epoch, as JWT NumericDates are (RFC 7519 §2). */

/** Now, in whole seconds since the epoch. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
