/**
 * The device authorization grant (RFC 8628): a device asks, a person types its code at /device
 * and logs in through the same hand-off as /oauth2/authorize, and the device's polls get
 * authorization_pending, slow_down, access_denied or expired_token until its tokens, exactly once.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { expectError } from "../http/support-token-endpoint";
import {
  DEVICE_GRANT,
  askDevice as askFor,
  later,
  poll as pollAs,
  registerDeviceClient,
  typeCode,
} from "./device-requests";
import { registerClient, type TestClient } from "../support/clients";
import { LOGIN_URL, aliceLogin, callWith, complete, jwtPayload } from "../support/code-flow";
import { basicAuth } from "../support/token-requests";
import { admin, call } from "../support/worker";
import { refresh } from "../support/token-requests";
import { expectInvalidGrant } from "../support/assertions";

let tv: TestClient;

beforeAll(async () => {
  tv = await registerDeviceClient("openid profile offline_access");
});

afterEach(() => {
  vi.useRealTimers();
});

const askDevice = (client = tv, extra: Record<string, string> = {}) => askFor(client, extra);
const poll = (deviceCode: string, client = tv) => pollAs(deviceCode, client);

describe("device authorization", () => {
  it("answers a device code, a user code of 8 consonants shown XXXX-XXXX, the page to type it at, 600 s and 5 s", async () => {
    const answer = await askDevice();

    expect(answer).toEqual({
      device_code: expect.stringMatching(/^dc_[A-Za-z0-9_-]{86}$/),
      user_code: expect.stringMatching(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/),
      verification_uri: "https://baton.test/device",
      verification_uri_complete: `https://baton.test/device?user_code=${answer.user_code}`,
      expires_in: 600,
      interval: 5,
    });
  });

  it("refuses a client that may not use the device grant with unauthorized_client", async () => {
    const web = await registerClient();
    const response = await call("/oauth2/device_authorization", {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Authorization: basicAuth(web.client_id, web.client_secret!),
      },
      body: "scope=openid",
    });
    await expectError(response, {
      status: 400,
      error: "unauthorized_client",
      description: "The client is not allowed to use the device authorization grant.",
    });
  });

  it("refuses a scope beyond the client's with invalid_scope, and an invalid resource with invalid_target", async () => {
    const ask = (extra: Record<string, string>) =>
      call("/oauth2/device_authorization", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ client_id: tv.client_id, ...extra }),
      });
    expect((await (await ask({ scope: "openid admin" })).json<{ error: string }>()).error).toBe("invalid_scope");
    expect((await (await ask({ resource: "http://public.example/" })).json<{ error: string }>()).error).toBe(
      "invalid_target",
    );
  });
});

describe("the device code grant", () => {
  it("answers authorization_pending, then slow_down to a poll too soon, and grows the interval", async () => {
    const device = await askDevice();

    await expectError(await poll(device.device_code), {
      status: 400,
      error: "slow_down",
      description: "Polling too often; wait five seconds more between polls.",
    });
    later(11);
    await expectError(await poll(device.device_code), {
      status: 400,
      error: "authorization_pending",
      description: "The user has not answered yet; poll again later.",
    });
    later(6);
    // The interval grew to 10 s after the slow_down: 6 s is too soon now.
    expect((await (await poll(device.device_code)).json<{ error: string }>()).error).toBe("slow_down");
  });

  it("hands the person to the login with the device's request, and the device gets its tokens once", async () => {
    const device = await askDevice(tv, { resource: "https://mcp.example.com/mcp" });
    const id = await typeCode(device.user_code.toLowerCase().replace("-", " "));
    const view = await (await admin("GET", `/admin/authorizations/${id}`)).json<Record<string, unknown>>();
    expect(view).toMatchObject({
      client_id: tv.client_id,
      scope: "openid offline_access",
      resource: ["https://mcp.example.com/mcp"],
      redirect_uri: "https://baton.test/device",
      client_kind: "registered",
    });
    const completed = await (await complete(id, aliceLogin())).json<{ redirect_to: string }>();
    expect(completed.redirect_to).toBe("https://baton.test/device?result=approved");
    // Answered: no longer pending for a consent screen, before the device has polled too.
    expect((await admin("GET", `/admin/authorizations/${id}`)).status).toBe(404);
    later(6);

    const response = await poll(device.device_code);
    const text = await response.text();
    expect(response.status, text).toBe(200);
    const tokens = JSON.parse(text) as Record<string, string>;
    expect(jwtPayload(tokens.access_token!)).toMatchObject({ sub: "user_alice", aud: "https://mcp.example.com/mcp" });
    expect(tokens.refresh_token).toMatch(/^rt_/);
    expect(tokens.id_token).toBeDefined();

    later(12);
    await expectInvalidGrant(await poll(device.device_code));
    // An ordinary family: it rotates.
    expect((await refresh(tv, tokens.refresh_token!)).status).toBe(200);
  });

  it("gives exactly one of ten polls at the moment of approval the tokens", async () => {
    const device = await askDevice();
    await complete(await typeCode(device.user_code), aliceLogin());
    later(6);

    const answers = await Promise.all(Array.from({ length: 10 }, () => poll(device.device_code)));

    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 400)).toHaveLength(9);
  });

  it("answers access_denied once the person declines", async () => {
    const device = await askDevice();
    const id = await typeCode(device.user_code);
    const denied = await (await admin("POST", `/admin/authorizations/${id}/deny`)).json<{ redirect_to: string }>();
    expect(denied.redirect_to).toBe("https://baton.test/device?result=denied");
    expect((await admin("GET", `/admin/authorizations/${id}`)).status).toBe(404);
    later(6);

    await expectError(await poll(device.device_code), {
      status: 400,
      error: "access_denied",
      description: "The user denied the request.",
    });
  });

  it("answers expired_token after 600 s", async () => {
    const device = await askDevice();
    later(601);

    await expectError(await poll(device.device_code), {
      status: 400,
      error: "expired_token",
      description: "The device code has expired; start again.",
    });
  });

  it("refuses another client's poll and a made-up device code with invalid_grant", async () => {
    const device = await askDevice();
    const other = await registerClient({
      token_endpoint_auth_method: "none",
      grant_types: [DEVICE_GRANT],
      redirect_uris: [],
      scope: "openid",
    });
    later(6);

    await expectInvalidGrant(await poll(device.device_code, other));
    await expectInvalidGrant(await poll(`dc_${"A".repeat(86)}`));
  });
});

describe("the /device page", () => {
  it("shows a form to type the code", async () => {
    const response = await call("/device");
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<form method="get" action="/device">');
  });

  it.each([["BCDF-GHJK"], ["nonsense"], ["AAAA-AAAA"]])(
    "answers 400 for a code that is not pending (%s)",
    async (code) => {
      const response = await callWith({ LOGIN_URL }, `/device?user_code=${code}`);
      expect(response.status).toBe(400);
      expect(response.headers.get("Location")).toBeNull();
      expect(await response.text()).toContain("That code is not valid");
    },
  );

  it("tells the person to return to the device after the login", async () => {
    expect(await (await call("/device?result=approved")).text()).toContain("You can return to your device now");
  });
});
