/**
 * Back-channel logout: when someone ends a grant (RP-initiated logout, a revocation, the admin
 * API, a reused refresh token or code), the grant's client is told, server to server, by a
 * logout token POSTed to its `backchannel_logout_uri`. It runs after the answer, from the grant's
 * object, with a few bounded attempts; a client that cannot be reached misses the notice (the
 * tokens it holds stop working all the same).
 *
 * @see OpenID Connect Back-Channel Logout 1.0 §2.5 (request), §2.8 (response)
 */
import { nowSeconds } from "../clock";
import { resolveClient } from "../clients/resolve";
import type { Config } from "../config";
import type { Env } from "../env";
import { errorName, log } from "../log";
import { loadSigningKeys } from "../tokens/keys";
import { signLogoutToken, type LogoutTokenSubject } from "../tokens/logout-token";
import { postForm, type PostOutcome } from "../uri/bounded-post";

/** Attempts per notice, each cut off after {@link ATTEMPT_TIMEOUT_MS}. */
const MAX_ATTEMPTS = 3;
/** How long one attempt may take, in milliseconds. */
const ATTEMPT_TIMEOUT_MS = 3_000;
/** The pause before each attempt after the first, in milliseconds. */
const RETRY_DELAYS_MS = [1_000, 2_000];

/** Waits `ms` milliseconds. */
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Tells the client of `ended` that its session is over, if it registered a back-channel logout
 * URI. Never throws: every outcome is one log line.
 */
export async function sendLogoutNotice(env: Env, config: Config, ended: LogoutTokenSubject): Promise<void> {
  const fields = { client_id: ended.clientId, sid: ended.sid };
  try {
    const client = await resolveClient(env, config, ended.clientId);
    const uri = client?.backchannel_logout_uri;
    if (uri === undefined) return;
    const keys = await loadSigningKeys(config.signingKeys);
    // One token for every attempt: they are one notice, and its `jti` lets the client see so.
    const form = new URLSearchParams({ logout_token: await signLogoutToken(keys, ended, nowSeconds()) });
    for (let attempt = 1; ; attempt++) {
      const outcome = await postForm(uri, form, ATTEMPT_TIMEOUT_MS);
      const detail = {
        ...fields,
        attempts: attempt,
        status: outcome.status,
        reason: outcome.ok ? undefined : outcome.reason,
      };
      if (delivered(outcome)) {
        log(config, "info", "back-channel logout delivered", detail);
        return;
      }
      if (!worthRetrying(outcome) || attempt === MAX_ATTEMPTS) {
        log(config, "warn", "back-channel logout not delivered", detail);
        return;
      }
      await pause(RETRY_DELAYS_MS[attempt - 1]!);
    }
  } catch (error) {
    log(config, "error", "back-channel logout failed", {
      ...fields,
      detail: errorName(error),
    });
  }
}

/** §2.8: 200 OK; some frameworks answer 204, which counts too. */
function delivered(outcome: PostOutcome): boolean {
  return outcome.ok && outcome.status >= 200 && outcome.status < 300;
}

/**
 * No answer, or the client's trouble (5xx, 429): try again. A refusal (400 and the like) would
 * only be repeated, and a redirect is not followed.
 */
function worthRetrying(outcome: PostOutcome): boolean {
  if (!outcome.ok) return outcome.reason !== "redirect";
  return outcome.status >= 500 || outcome.status === 429;
}
