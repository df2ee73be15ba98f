/**
 * The built-in development login: `/oauth2/authorize` hands the browser to `/dev/login`, whose
 * form approves or denies the pending request, and the browser goes on to the client.
 */
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { newTestSid } from "../support/families";
import { registerClient } from "../support/clients";
import { BASE, call } from "../support/worker";
import { expectPageHeaders, fetchWith, pageBody } from "./page-support";
import {
  FORM_CSP,
  NOT_FROM_THE_FORM,
  REDIRECT_URI,
  UNKNOWN_REQUEST,
  beginAuthorization,
  dev,
  openForm,
  problemPage,
  redeem,
  redirectOf,
  submit,
} from "./dev-login-browser";

describe("development login: availability", () => {
  it.each(["GET", "POST", "PUT"])("does not exist for %s when DEV_LOGIN is off", async (method) => {
    const response = await fetchWith({ DEV_LOGIN: "false" })("/dev/login", { method });

    expect(response.status).toBe(404);
    expect(response.headers.get("Content-Type")).toBe("application/json");
    expect(await response.json()).toEqual({ error: "not_found", error_description: "There is nothing at this path." });
  });

  it("does not exist when LOGIN_URL is set, even with DEV_LOGIN on", async () => {
    const response = await fetchWith({ DEV_LOGIN: "true", LOGIN_URL: "https://host.example/login" })(
      `/dev/login?authorization_request=${await newTestSid()}`,
    );

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: "not_found", error_description: "There is nothing at this path." });
  });

  it("refuses PUT with 405 and Allow: GET, POST when it is on", async () => {
    const response = await dev("/dev/login", { method: "PUT" });

    expect(response.status).toBe(405);
    expect(response.headers.get("Allow")).toBe("GET, POST");
  });
});

describe("development login: the form", () => {
  it("shows who asks for what, escaped, with the request id, a form token, real values and Approve first", async () => {
    const client = await registerClient({ client_name: `<b>"Tom" & 'Jerry'</b>` });
    const id = await beginAuthorization(client, "openid email");

    const response = await dev(`/dev/login?authorization_request=${id}`);
    const html = await response.clone().text();
    const form = {
      formToken: /name="form_token" value="([A-Za-z0-9_-]+)"/.exec(html)![1]!,
      cookie: response.headers.get("Set-Cookie")!.split(";", 1)[0]!,
    };

    expectPageHeaders(response, 200);
    expect(response.headers.get("Content-Security-Policy")).toBe(FORM_CSP);
    expect(await pageBody(response)).toBe(`<h1>Development login</h1>
<p class="muted">This page signs in whoever is typed below, without a password. It stands in for the
host application's login during development; production sets <code>LOGIN_URL</code> instead.</p>
<p><strong>&#60;b&#62;&#34;Tom&#34; &#38; &#39;Jerry&#39;&#60;/b&#62;</strong> (<code>${client.client_id}</code>) asks for
<code>openid email</code>.</p>
<p class="muted">The answer goes to <code>https://app.example/callback</code>.</p>
<form method="post" action="/dev/login">
<input type="hidden" name="authorization_request" value="${id}">
<input type="hidden" name="form_token" value="${form.formToken}">
<label for="subject">Subject (the user's id)</label>
<input id="subject" name="subject" value="user_dev" required maxlength="255">
<label for="email">Email (optional; clear it to send none)</label>
<input id="email" name="email" type="email" maxlength="320" value="dev@example.com">
<label for="name">Name (optional; clear it to send none)</label>
<input id="name" name="name" maxlength="320" value="Dev User">
<button type="submit" name="action" value="approve" class="primary" autofocus>Approve</button>
<button type="submit" name="action" value="deny" formnovalidate>Deny</button>
</form>`);
    expect(response.headers.get("Set-Cookie")).toBe(
      `${form.cookie}; Path=/dev/login; Max-Age=600; HttpOnly; SameSite=Strict; Secure`,
    );
    // Every value in the form is a real value, sent as shown: nothing is a placeholder.
    expect(html).not.toContain("placeholder");
  });

  it("lets the form post redirect to a native app's private-use scheme", async () => {
    const client = await registerClient({
      redirect_uris: ["com.example.app:/callback"],
      token_endpoint_auth_method: "none",
    });
    const id = await beginAuthorization(client, "openid", "com.example.app:/callback");

    const response = await dev(`/dev/login?authorization_request=${id}`);

    expect(response.headers.get("Content-Security-Policy")).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' com.example.app:; frame-ancestors 'none'",
    );
  });

  it.each([
    ["an unknown request", () => `?authorization_request=${"A".repeat(200)}`],
    ["an id that is not a grant id", () => "?authorization_request=%3Cscript%3E"],
    ["no request at all", () => ""],
  ])("answers a 404 page for %s", async (_name, query) => {
    const response = await dev(`/dev/login${query()}`);

    expectPageHeaders(response, 404);
    expect(await pageBody(response)).toBe(UNKNOWN_REQUEST);
  });
});

describe("development login: answering", () => {
  it("approves: the code it sends back redeems to tokens carrying the typed user", async () => {
    const client = await registerClient();
    const id = await beginAuthorization(client);

    const answer = await submit(
      {
        authorization_request: id,
        subject: "user_ada",
        email: "ada@example.com",
        name: "Ada King Lovelace",
        action: "approve",
      },
      await openForm(id),
    );

    const { target, query } = redirectOf(answer);
    expect(target).toBe(REDIRECT_URI);
    expect(Object.keys(query).sort()).toEqual(["code", "iss", "state"]);
    expect(query).toMatchObject({ state: "state-1", iss: BASE });
    const tokens = await redeem(client, query.code!);
    expect(tokens.scope).toBe("openid profile email offline_access");
    const idToken = decodeJwt(tokens.id_token);
    expect(idToken).toMatchObject({
      iss: BASE,
      aud: client.client_id,
      sub: "user_ada",
      nonce: "nonce-1",
      email: "ada@example.com",
      email_verified: true,
      name: "Ada King Lovelace",
      given_name: "Ada",
      family_name: "King Lovelace",
    });
    const userinfo = await call("/oauth2/userinfo", { headers: { Authorization: `Bearer ${tokens.access_token}` } });
    expect(await userinfo.json()).toEqual({
      sub: "user_ada",
      email: "ada@example.com",
      email_verified: true,
      name: "Ada King Lovelace",
      given_name: "Ada",
      family_name: "King Lovelace",
    });
  });

  it("approves with the subject alone: no email and no name claims", async () => {
    const client = await registerClient();
    const id = await beginAuthorization(client);

    const { query } = redirectOf(
      await submit({ authorization_request: id, subject: "user_dev", action: "approve" }, await openForm(id)),
    );

    const tokens = await redeem(client, query.code!);
    const userinfo = await call("/oauth2/userinfo", { headers: { Authorization: `Bearer ${tokens.access_token}` } });
    expect(await userinfo.json()).toEqual({ sub: "user_dev" });
  });

  it("takes a one-word name as the given name alone", async () => {
    const client = await registerClient();
    const id = await beginAuthorization(client);

    const { query } = redirectOf(
      await submit(
        { authorization_request: id, subject: "user_cher", name: " Cher ", action: "approve" },
        await openForm(id),
      ),
    );

    const idToken = decodeJwt((await redeem(client, query.code!)).id_token);
    expect(idToken).toMatchObject({ name: "Cher", given_name: "Cher" });
    expect(idToken).not.toHaveProperty("family_name");
    expect(idToken).not.toHaveProperty("email");
  });

  it("denies: the client learns access_denied, with its state and the issuer", async () => {
    const client = await registerClient();
    const id = await beginAuthorization(client);

    const { target, query } = redirectOf(
      await submit({ authorization_request: id, action: "deny" }, await openForm(id)),
    );

    expect(target).toBe(REDIRECT_URI);
    expect(query).toEqual({
      error: "access_denied",
      error_description: "The user or the application denied the request.",
      state: "state-1",
      iss: BASE,
    });
    const form = await dev(`/dev/login?authorization_request=${id}`);
    expectPageHeaders(form, 404);
    expect(await pageBody(form)).toBe(UNKNOWN_REQUEST);
  });

  it("lands a double-click on Approve on the same redirect, and the code redeems once", async () => {
    const client = await registerClient();
    const id = await beginAuthorization(client);
    const form = await openForm(id);
    const fields = { authorization_request: id, subject: "user_dev", email: "dev@example.com", action: "approve" };

    const [first, second] = await Promise.all([submit(fields, form), submit(fields, form)]);

    const one = redirectOf(first);
    expect(redirectOf(second)).toEqual(one);
    await redeem(client, one.query.code!);
    // The code was spent: a third click finds the request answered.
    expectPageHeaders(await submit(fields, form), 409);
  });

  it("answers 409 to a different answer of a request already answered", async () => {
    const client = await registerClient();
    const id = await beginAuthorization(client);
    const form = await openForm(id);
    redirectOf(await submit({ authorization_request: id, subject: "user_dev", action: "approve" }, form));

    for (const fields of [
      { authorization_request: id, subject: "user_mallory", action: "approve" } as Record<string, string>,
      { authorization_request: id, subject: "user_dev", email: "other@example.com", action: "approve" },
      { authorization_request: id, action: "deny" },
    ]) {
      const again = await submit(fields, form);
      expectPageHeaders(again, 409);
      expect(await pageBody(again)).toBe(
        problemPage("Already answered", "This sign-in request was already approved or denied."),
      );
    }
  });

  it.each([
    ["an unknown request", () => "A".repeat(200)],
    ["an id that is not a grant id", () => "nope"],
  ])("answers a 403 page, answering nothing, for a form of %s", async (_name, id) => {
    const response = await submit({ authorization_request: id(), subject: "user_dev", action: "approve" });

    expectPageHeaders(response, 403);
    expect(await pageBody(response)).toBe(NOT_FROM_THE_FORM);
  });

  it.each<Record<string, string>>([{}, { action: "maybe" }])(
    "answers 400 when neither button was chosen (%j)",
    async (extra) => {
      const client = await registerClient();
      const id = await beginAuthorization(client);

      const response = await submit({ authorization_request: id, subject: "user_dev", ...extra }, await openForm(id));

      expectPageHeaders(response, 400);
      expect(await pageBody(response)).toBe(problemPage("Nothing was chosen", "Choose Approve or Deny."));
      // Nothing was answered: the form is still there.
      expect((await dev(`/dev/login?authorization_request=${id}`)).status).toBe(200);
    },
  );

  it("answers 400 to an approval without a subject, and the request stays pending", async () => {
    const client = await registerClient();
    const id = await beginAuthorization(client);

    const response = await submit({ authorization_request: id, subject: "", action: "approve" }, await openForm(id));

    expectPageHeaders(response, 400);
    expect(await pageBody(response)).toBe(
      problemPage("The form could not be read", "subject must be a string of 1 to 255 characters."),
    );
    expect((await dev(`/dev/login?authorization_request=${id}`)).status).toBe(200);
  });

  it("answers 400 to a form that repeats a field", async () => {
    const response = await dev("/dev/login", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: `authorization_request=${await newTestSid()}&action=deny&action=approve`,
    });

    expectPageHeaders(response, 400);
    expect(await pageBody(response)).toBe(
      problemPage("The form could not be read", "A parameter was given more than once."),
    );
  });
});
