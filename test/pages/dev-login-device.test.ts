/**
 * The development login answering a device's request (RFC 8628): the person types the code at
 * /device, is handed to /dev/login, and Approve sends them to Baton's own page. A double-click
 * on Approve lands on that same page, as it lands on the same redirect in the code flow; a
 * different answer, or any answer after the device took its tokens, is 409.
 */
import { describe, expect, it } from "vitest";
import { registerClient, type TestClient } from "../support/clients";
import { BASE } from "../support/worker";
import { dev, openForm, problemPage, redirectOf, submit } from "./dev-login-browser";
import { expectPageHeaders, pageBody } from "./page-support";

const ALREADY_ANSWERED = problemPage("Already answered", "This sign-in request was already approved or denied.");
const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
const FORM = { "Content-Type": "application/x-www-form-urlencoded" };

async function deviceClient(): Promise<TestClient> {
  return registerClient({
    token_endpoint_auth_method: "none",
    grant_types: [DEVICE_GRANT],
    redirect_uris: [],
    scope: "openid",
  });
}

/** Asks for a device authorization and types its code at /device; the pending request's id. */
async function beginDeviceLogin(client: TestClient): Promise<{ id: string; deviceCode: string }> {
  const asked = await dev("/oauth2/device_authorization", {
    method: "POST",
    headers: FORM,
    body: new URLSearchParams({ client_id: client.client_id, scope: "openid" }),
  });
  expect(asked.status).toBe(200);
  const { device_code, user_code } = await asked.json<{ device_code: string; user_code: string }>();
  const typed = await dev(`/device?user_code=${encodeURIComponent(user_code)}`);
  expect(typed.status).toBe(302);
  const id = new URL(typed.headers.get("Location")!).searchParams.get("authorization_request")!;
  return { id, deviceCode: device_code };
}

function poll(client: TestClient, deviceCode: string): Promise<Response> {
  return dev("/oauth2/token", {
    method: "POST",
    headers: FORM,
    body: new URLSearchParams({ grant_type: DEVICE_GRANT, device_code: deviceCode, client_id: client.client_id }),
  });
}

describe("development login: a device's request", () => {
  it("lands a double-click on Approve on the same page, and the device gets its tokens once", async () => {
    const client = await deviceClient();
    const { id, deviceCode } = await beginDeviceLogin(client);
    const form = await openForm(id);
    const fields = { authorization_request: id, subject: "user_dev", action: "approve" };

    const [first, second] = await Promise.all([submit(fields, form), submit(fields, form)]);

    const approved = { target: `${BASE}/device`, query: { result: "approved" } };
    expect(redirectOf(first)).toEqual(approved);
    expect(redirectOf(second)).toEqual(approved);
    const polls = await Promise.all([poll(client, deviceCode), poll(client, deviceCode)]);
    expect(polls.map((response) => response.status).sort()).toEqual([200, 400]);
    // The device took its tokens: the request is answered, for the same approval too.
    const late = await submit(fields, form);
    expectPageHeaders(late, 409);
    expect(await pageBody(late)).toBe(ALREADY_ANSWERED);
  });

  it("answers 409 to a different answer of a device request already approved", async () => {
    const { id } = await beginDeviceLogin(await deviceClient());
    const form = await openForm(id);
    redirectOf(await submit({ authorization_request: id, subject: "user_dev", action: "approve" }, form));

    for (const fields of [
      { authorization_request: id, subject: "user_mallory", action: "approve" } as Record<string, string>,
      { authorization_request: id, action: "deny" },
    ]) {
      const again = await submit(fields, form);
      expectPageHeaders(again, 409);
      expect(await pageBody(again)).toBe(ALREADY_ANSWERED);
    }
  });
});
