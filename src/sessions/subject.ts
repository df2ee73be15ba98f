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
