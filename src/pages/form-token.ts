/**
 * The development login form's token: sealed with the server secret, naming the pending request
 * it answers and a random value that is also set as a cookie with the page. A POST must carry
 * both halves, so a page on another site, which can neither read the form nor send the cookie
 * (SameSite=Strict), cannot answer a request, and a form cannot be replayed for another request.
 *
 * @see OWASP CSRF Prevention Cheat Sheet (synchronizer token, Fetch Metadata)
 */
import type { Config } from "../config";
import { encodeBase64url, randomBase64url } from "../encoding/base64url";
import { sha256 } from "../encoding/sha256";
import type { LoginOutcome } from "../grant/authorization-state";
import { seal, unseal } from "../secrets/seal";
import { serverKeys } from "../secrets/server-keys";

/**
 * The cookie's name: one per pending request (from its id's digest), so that two sign-ins open
 * in two tabs keep a cookie each, and answering one does not find the other's.
 */
function cookieName(requestDigest: string): string {
  return `baton_dev_login_${requestDigest.slice(0, 16)}`;
}

interface FormTokenContents {
  /** base64url SHA-256 of the request's id. */
  request: string;
  /** The cookie's value. */
  nonce: string;
  /** When the request expires, and the form with it (seconds). */
  expiresAt: number;
}

/** A new form token for request `id`, and the cookie that goes with it. */
export async function issueFormToken(
  config: Config,
  id: string,
  expiresAt: number,
): Promise<{ token: string; cookie: (secure: boolean) => string }> {
  const nonce = randomBase64url(16);
  const request = await digest(id);
  const contents: FormTokenContents = { request, nonce, expiresAt };
  const token = await seal(await serverKeys(config), "dev login form", contents);
  return {
    token,
    cookie: (secure) =>
      `${cookieName(request)}=${nonce}; Path=/dev/login; Max-Age=600; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`,
  };
}

/** Whether `token` was issued for request `id` with the cookie in `cookieHeader`, and is fresh. */
export async function checkFormToken(
  config: Config,
  token: string,
  id: string,
  cookieHeader: string | null,
  now: number,
): Promise<boolean> {
  const contents = (await unseal(await serverKeys(config), "dev login form", token)) as FormTokenContents | undefined;
  if (contents === undefined || now >= contents.expiresAt) return false;
  const request = await digest(id);
  const nonce = cookieValue(cookieHeader, request);
  return nonce !== undefined && nonce === contents.nonce && contents.request === request;
}

/**
 * The key that only a repeat of this very approval reproduces: the form's token, its cookie and
 * the answer given. A double-click on Approve thus lands on the same redirect, while anything
 * else (another subject, another form) finds the request answered.
 */
export async function repeatKeyOf(
  token: string,
  id: string,
  cookieHeader: string | null,
  outcome: LoginOutcome,
): Promise<Uint8Array> {
  const nonce = cookieValue(cookieHeader, await digest(id));
  return sha256(JSON.stringify(["baton dev login repeat", token, nonce, outcome]));
}

function cookieValue(header: string | null, requestDigest: string): string | undefined {
  const wanted = cookieName(requestDigest);
  for (const part of header?.split(";") ?? []) {
    const [name, value] = part.trim().split("=", 2);
    if (name === wanted && value !== undefined && value !== "") return value;
  }
  return undefined;
}

async function digest(text: string): Promise<string> {
  return encodeBase64url(await sha256(text));
}
