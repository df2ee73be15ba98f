/** SHA-256 on the platform's WebCrypto. @see FIPS 180-4 */

const encoder = new TextEncoder();

/** The SHA-256 digest of `text`'s UTF-8 bytes. */
export async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
}
