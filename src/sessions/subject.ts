/**
 * Which subjects Baton accepts: the ones an operator can also name in a URL path, so that every
 * user who can sign in can be listed and signed out everywhere (`/admin/users/SUBJECT/...`).
 *
 * @see OIDC Core §2 (`sub`: at most 255 ASCII characters is the advice; any string is allowed)
 */

/**
 * Whether `subject` is 1 to 255 UTF-16 code units, holds no unpaired surrogate (no UTF-8, so no
 * percent-encoding, exists for one), and is not `.` or `..`, which every URL parser removes from
 * a path as dot segments (RFC 3986 §5.2.4), escaped as `%2E` too.
 */
export function isAcceptableSubject(subject: string): boolean {
  return subject.length > 0 && subject.length <= 255 && !/\p{Cs}/u.test(subject) && subject !== "." && subject !== "..";
}
