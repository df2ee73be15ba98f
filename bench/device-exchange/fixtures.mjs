// What the device bench's cells run on, opened through Baton's own flows as a device and a
// gateway meet them: the two clients, token families the device flow opened (for the refresh
// chains and the exchanges' subject tokens) and device codes nobody answers (for the polls).
// Real flows rather than seeded state, so that every family and code is what a client holds.
import { adminJsonApi } from "../../scripts/cli/admin-api.mjs";
import { mapBounded } from "../../scripts/map-bounded.mjs";
import { basicAuth, form, randomSource } from "../lib/http.mjs";

export const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
export const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
export const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
export const SCOPE = "openid offline_access";
export const RESOURCE = "https://api.example.com/v1";
export const FORM = { "Content-Type": "application/x-www-form-urlencoded" };

/**
 * Registers the device client (public) and the gateway (confidential, Basic) on `server`.
 * @returns what the other fixtures and the cells need of them: the device's `poll(code)`
 *   request, `pollOnce(code)` to send it, `askDevice()` for a new code, the gateway's `gatewayAuth`
 */
export async function registerClients(server, client) {
  const admin = adminJsonApi(server);
  const device = await admin("POST", "/admin/clients", {
    client_name: "Bench device",
    grant_types: [DEVICE_CODE_GRANT, "refresh_token"],
    token_endpoint_auth_method: "none",
    scope: SCOPE,
  });
  const gateway = await admin("POST", "/admin/clients", {
    client_name: "Bench gateway",
    grant_types: [TOKEN_EXCHANGE_GRANT],
    token_endpoint_auth_method: "client_secret_basic",
    scope: SCOPE,
  });

  const askDevice = async () => {
    // Each from an address of its own: one source is limited to 20 a minute.
    const answer = await client.request("POST", "/oauth2/device_authorization", {
      headers: { ...FORM, ...randomSource() },
      body: form({ client_id: device.client_id, scope: SCOPE }),
    });
    const body = JSON.parse(answer.body);
    if (answer.status !== 200) throw new Error(`device authorization: ${answer.status} ${JSON.stringify(body)}`);
    return body;
  };
  const poll = (code) => ({
    path: "/oauth2/token",
    headers: FORM,
    body: form({ grant_type: DEVICE_CODE_GRANT, device_code: code, client_id: device.client_id }),
  });
  const pollOnce = (code) => client.request("POST", "/oauth2/token", poll(code));
  return { admin, device, gatewayAuth: basicAuth(gateway.client_id, gateway.client_secret), askDevice, poll, pollOnce };
}

/** An answer check for a poll that must be refused with `error` (a closed loop's `expected`). */
export const refused = (error) => (_, response) => response.status === 400 && JSON.parse(response.body).error === error;

/**
 * Families for the refresh chains and subject tokens for the exchanges, `concurrency` of each,
 * from the device flow: ask, the person approves through the hand-off, one poll.
 */
export async function openFamilies({ server, client, concurrency }, clients) {
  const families = await mapBounded(
    Array.from({ length: 2 * concurrency }, (_, i) => i),
    concurrency,
    async (i) => {
      const asked = await clients.askDevice();
      const handOff = await client.request("GET", `/device?user_code=${asked.user_code}`);
      const id = new URL(handOff.headers.location, server.url).searchParams.get("authorization_request");
      await clients.admin("POST", `/admin/authorizations/${id}/complete`, { subject: `user_${i}` });
      const tokens = await clients.pollOnce(asked.device_code);
      if (tokens.status !== 200) throw new Error(`device poll: ${tokens.status} ${tokens.body}`);
      return JSON.parse(tokens.body);
    },
  );
  return {
    chains: families.slice(0, concurrency).map((tokens) => tokens.refresh_token),
    subjects: families.slice(concurrency).map((tokens) => tokens.access_token),
  };
}

/**
 * Codes nobody will answer: `concurrency` to poll again and again (`hammered`), `codeCount` to
 * poll as devices do (`devices`). Making them is the device request cell, on `bench.meter`.
 */
export async function openCodes({ concurrency, codeCount, meter }, clients) {
  const making = meter.window();
  const codes = await mapBounded(
    Array.from({ length: concurrency + codeCount }, (_, i) => i),
    concurrency,
    () => clients.askDevice().then((asked) => asked.device_code),
  );
  return {
    deviceRequest: making.close("device request", codes.length),
    hammered: codes.slice(0, concurrency),
    devices: codes.slice(concurrency),
  };
}
