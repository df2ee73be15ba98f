// The limit on device authorizations (DEVICE_AUTHORIZATION_LIMITER): a public client's id is no
// secret and each authorization holds its codes for ten minutes, so one address may ask 20 times
// a minute. Seen as oauth4webapi sees it: a 429 whose RFC 6749 §5.2 body it reports as
// `temporarily_unavailable`, with Retry-After. It throttles this address for the rest of the
// minute, which is why the entry point runs it last.
import * as oauth from "oauth4webapi";
import { SCOPE, insecure, none } from "./baton.mjs";

/** 6. Device authorizations until the limit refuses one; the parts before have spent some. */
export async function deviceAuthorizationLimit(p, { as, publicClient }) {
  let accepted = 0;
  let refused;
  // The limiter counts in windows aligned to the clock's minutes (as Cloudflare's does), so the
  // loop may start just before a new one: what was accepted in the window the refusal came in
  // is what counts, and 45 attempts reach the limit even across one boundary. The earlier parts
  // asked from this address within the minute too, so fewer than 20 may be left.
  let window = currentMinute();
  for (let attempt = 0; attempt < 45 && refused === undefined; attempt++) {
    if (currentMinute() !== window) [window, accepted] = [currentMinute(), 0];
    const response = await oauth.deviceAuthorizationRequest(as, publicClient, none, { scope: SCOPE }, insecure);
    try {
      await oauth.processDeviceAuthorizationResponse(as, publicClient, response);
      accepted++;
    } catch (error) {
      if (!(error instanceof oauth.ResponseBodyError)) throw error;
      refused = error;
    }
  }
  p.check(
    refused?.status === 429 && refused.error === "temporarily_unavailable" && accepted > 0 && accepted <= 20,
    `${accepted} more device authorizations accepted in this minute, then 429 temporarily_unavailable (oauth4webapi's ResponseBodyError)`,
    refused === undefined ? "never refused" : `${refused.status} ${refused.error}`,
  );
  p.check(
    refused?.response?.headers.get("Retry-After") === "60",
    "the refusal says when to retry: Retry-After 60",
    String(refused?.response?.headers.get("Retry-After")),
  );
}

function currentMinute() {
  return Math.floor(Date.now() / 60_000);
}
