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
  // The earlier parts asked from this address within the minute too; 25 more must reach the limit.
  for (let attempt = 0; attempt < 25 && refused === undefined; attempt++) {
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
    `${accepted} more device authorizations accepted, then 429 temporarily_unavailable (oauth4webapi's ResponseBodyError)`,
    refused === undefined ? "never refused" : `${refused.status} ${refused.error}`,
  );
  p.check(
    refused?.response?.headers.get("Retry-After") === "60",
    "the refusal says when to retry: Retry-After 60",
    String(refused?.response?.headers.get("Retry-After")),
  );
}
