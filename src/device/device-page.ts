/**
 * `GET /device`: where a person types the code a device shows (RFC 8628 §3.3). A form to type
 * it; with `?user_code=`, the hand-off to the same login as `/oauth2/authorize`; with
 * `?result=`, the page the login sends the person back to. Every code typed is counted per source
 * address before it is looked up, since guessing them is the attack (RFC 8628 §5.1).
 */
import { failureKey, recordFailure } from "../abuse/failure-throttle";
import { tooManyRequests } from "../abuse/source-limit";
import { loginPage } from "../authorize/login-page";
import { kindOf, type ClientKind } from "../clients/record";
import { resolveClient } from "../clients/resolve";
import { isMetadataDocumentUrl } from "../metadata-documents/document-url";
import { nowSeconds } from "../clock";
import { OAuthError } from "../errors";
import { grantFor } from "../grant/locate";
import type { Endpoint } from "../http/endpoint";
import { sourceAddress, sourceNetwork } from "../http/source-address";
import { log } from "../log";
import { escapeHtml, htmlPage } from "../pages/html";
import { displayUserCode, normalizeUserCode } from "./codes";
import { sealDeviceRequest } from "./hand-off";
import { userCodeFor } from "./locate";

/** `undefined` when `source` may have one more code looked at; its 429 page otherwise. */
async function admitGuess(env: Endpoint["env"], source: string, network?: string): Promise<Response | undefined> {
  try {
    await recordFailure(env.USER_CODE_LIMITER, failureKey("user_code", "", source), tooManyGuesses);
    if (network !== undefined) {
      await recordFailure(env.USER_CODE_NETWORK_LIMITER, failureKey("user_code_network", "", network), tooManyGuesses);
    }
    return undefined;
  } catch (error) {
    if (error instanceof OAuthError && error.status === 429)
      return tooManyGuessesPage(Number(error.headers["Retry-After"]));
    throw error;
  }
}

/** Handles `GET /device`. */
export async function showDevicePage(endpoint: Endpoint): Promise<Response> {
  const { env, config, url, issuer, request, trace } = endpoint;
  const result = url.searchParams.get("result");
  if (result === "approved" || result === "denied") return resultPage(result);
  const typed = url.searchParams.get("user_code");
  if (typed === null || typed === "") return codeForm();
  const now = nowSeconds();
  // A source over the limit has its codes looked at no more until the block ends (RFC 8628 §5.1).
  // Every code typed is counted before it is looked at, the right one too: a source that went
  // over the limit in another isolate would otherwise still learn, here, which guess was right.
  const source = sourceAddress(request);
  const refusal = await admitGuess(env, source, sourceNetwork(source));
  if (refusal !== undefined) return refusal;
  const code = normalizeUserCode(typed);
  const sid = code === undefined ? undefined : await userCodeFor(env, config, code).lookup(now);
  const device = sid === undefined ? undefined : await grantFor(env, config, sid).pendingDevice();
  if (device === undefined) {
    trace.outcome = "invalid_grant";
    return devicePage(
      400,
      "That code is not valid",
      "Check the code on the device and type it again; codes last ten minutes.",
      true,
    );
  }
  const login = loginPage(config, url);
  if (login === undefined) {
    log(config, "error", "configuration error", { detail: "neither LOGIN_URL nor DEV_LOGIN is set" });
    trace.outcome = "server_error";
    return devicePage(500, "Sign-in is not set up", "This server has no login page configured.");
  }
  trace.clientId = device.clientId;
  const kind = device.clientKind ?? (await kindNow(endpoint, device.clientId));
  const id = await sealDeviceRequest(config, device, kind, issuer, now);
  // Refused at the device authorization since; one made by an older version may still be too large.
  if (id === undefined) {
    trace.outcome = "invalid_request";
    return devicePage(400, "This request is too large", "The device asked for more than can be signed in for here.");
  }
  login.searchParams.set("authorization_request", id);
  return new Response(null, { status: 302, headers: { Location: login.toString(), "Cache-Control": "no-store" } });
}

/**
 * The kind of a client whose device authorization was made before authorizations kept it (at
 * most 10 minutes after such a deployment). A metadata document's URL says its kind by itself:
 * fetching the document again could fail, or be made to. Any other client's record says it, and
 * a record that is gone reads as `registered`, the kind the consent screen saw before.
 */
async function kindNow({ env, config }: Endpoint, clientId: string): Promise<ClientKind> {
  if (isMetadataDocumentUrl(clientId, config.clientMetadataAllowLoopback)) return "metadata_document";
  const client = await resolveClient(env, config, clientId);
  return client === undefined ? "registered" : kindOf(client);
}

const tooManyGuesses = tooManyRequests("slow_down", "Too many user codes typed from here.");

function tooManyGuessesPage(retryAfter: number): Response {
  const page = devicePage(429, "Too many codes typed", "Wait a minute, then type the code again.");
  page.headers.set("Retry-After", String(retryAfter));
  return page;
}

function codeForm(): Response {
  return htmlPage(
    "Connect a device",
    `<h1>Connect a device</h1>
<p>Type the code your device shows.</p>
<form method="get" action="/device">
<label for="user_code">Code</label>
<input id="user_code" name="user_code" required autocomplete="one-time-code" autocapitalize="characters" spellcheck="false" maxlength="16" placeholder="${displayUserCode("BCDFGHJK")}">
<button type="submit" class="primary">Continue</button>
</form>`,
  );
}

function resultPage(result: "approved" | "denied"): Response {
  return result === "approved"
    ? devicePage(200, "Device connected", "You can return to your device now; it will continue by itself.")
    : devicePage(200, "Device not connected", "You declined. You can close this page.");
}

function devicePage(status: number, heading: string, detail: string, withForm = false): Response {
  return htmlPage(
    "Connect a device",
    `<h1>${escapeHtml(heading)}</h1>
<p>${escapeHtml(detail)}</p>${withForm ? `\n<p><a href="/device">Type the code again</a></p>` : ""}`,
    status,
  );
}
