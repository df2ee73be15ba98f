/**
 * Readers for the optional client metadata members that every profile (admin API, dynamic
 * registration, metadata documents) treats alike: the texts and links a consent screen shows,
 * contacts, and the public keys of `private_key_jwt`. Each returns `undefined` for an absent
 * (or `null`) member and throws `invalid_client_metadata` with the caller's fixed description
 * for a bad one, so that no description ever repeats the input.
 *
 * @see RFC 7591 §2 (client metadata), RFC 7517 §4 and §5 (JWK, JWK Set), OIDC Registration §2
 */
import { OAuthError } from "../errors";

/** Throws 400 `invalid_client_metadata` (RFC 7591 §3.2.2); typed `never` for one-line checks. */
export function invalid(description: string): never {
  throw new OAuthError("invalid_client_metadata", description);
}

// Control characters and unpaired surrogates: nothing a person means to type, and text that a
// consent page, a log line or a UTF-8 encoder would each render differently. Format characters
// (bidirectional overrides and isolates, zero-width spaces and joiners, soft hyphens) are
// invisible yet change what a consent page shows: after U+202E, "App" + "gnp.exe" reads as
// "Appexe.png", and a zero-width space makes another name look exactly like "GitHub".
const UNPRINTABLE = /[\p{Cc}\p{Cs}\p{Cf}]/u;
// Nothing of that kind, nor any whitespace, belongs in a URL (RFC 3986 has none).
const NOT_IN_URL = /[\s\p{Cc}\p{Cs}\p{Cf}]/u;
const MAX_TEXT = 200;
const MAX_URL = 2000;
const MAX_CONTACTS = 10;

function absent(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

/** A text of 1 to 200 printable characters (see {@link UNPRINTABLE}), or `undefined`. */
export function readText(value: unknown, description: string): string | undefined {
  if (absent(value)) return undefined;
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_TEXT || UNPRINTABLE.test(value)) {
    invalid(description);
  }
  return value;
}

/**
 * An absolute `https` URL of at most 2000 characters, stored as given: no user name or
 * password (`https://bank.example@evil.example/` reads as the bank's to a person) and no
 * fragment. `allowLoopbackHttp` also lets `http://127.0.0.1` through (local tests only).
 */
export function readHttpsUrl(value: unknown, description: string, allowLoopbackHttp = false): string | undefined {
  if (absent(value)) return undefined;
  if (typeof value !== "string" || value.length > MAX_URL || NOT_IN_URL.test(value)) invalid(description);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    invalid(description);
  }
  const loopback = allowLoopbackHttp && url.protocol === "http:" && url.hostname === "127.0.0.1";
  if (url.protocol !== "https:" && !loopback) invalid(description);
  // The raw authority catches an empty userinfo (`https://@host/`), which the parser drops.
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(value)?.[1] ?? "";
  if (url.username !== "" || url.password !== "" || authority.includes("@")) invalid(description);
  if (value.includes("#")) invalid(description);
  return value;
}

/** `contacts`: at most 10 texts, each as {@link readText} wants it. */
export function readContacts(value: unknown): string[] | undefined {
  const description = "contacts must be an array of at most 10 strings of 1 to 200 printable characters.";
  if (absent(value)) return undefined;
  if (!Array.isArray(value) || value.length > MAX_CONTACTS) invalid(description);
  return value.map((entry) => readText(entry, description) ?? invalid(description));
}

/** `application_type`: `web` or `native` (OIDC Registration §2). */
export function readApplicationType(value: unknown): "web" | "native" | undefined {
  if (absent(value)) return undefined;
  if (value !== "web" && value !== "native") invalid("application_type must be web or native.");
  return value;
}
