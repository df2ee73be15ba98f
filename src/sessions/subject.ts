/**
 * Which subjects Baton accepts, beyond their length: the ones an operator can also name in a URL
 * path, so that every user who can sign in can be listed and signed out everywhere
 * (`/admin/users/SUBJECT/...`).
 *
 * @see OIDC Core §2 (`sub`: any string of at most 255 ASCII characters is the advice)
 */

/**
 * Whether `subject` holds no unpaired surrogate (no UTF-8, so no percent-encoding, exists for
 * one) and is not `.` or `..`, which every URL parser removes from a path as dot segments
 * (RFC 3986 §5.2.4), escaped as `%2E` too.
 */
export function isAddressableSubject(subject: string): boolean {
  return !/\p{Cs}/u.test(subject) && subject !== "." && subject !== "..";
}

/**
 * Whether `text` holds a control character (U+0000–U+001F, U+007F–U+009F), a line or paragraph
 * separator (U+2028, U+2029) or an invisible format character (`Cf`: a bidi override, a
 * zero-width space, a byte order mark): never part of a user's or an organization's identifier.
 * A NUL or a line break in a token's `sub` is a bug in the host application that relying parties
 * would each handle differently, and an invisible one makes two subjects look alike in a log or
 * on a consent screen.
 */
export function hasControlCharacter(text: string): boolean {
  return /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(text);
}
