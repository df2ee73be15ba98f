/**
 * Only the development login's own page may answer it: a cross-site POST, a POST without the
 * form's token or cookie, or with another request's token, answers nothing.
 */
import { describe, expect, it } from "vitest";
import { registerClient } from "../support/clients";
import { NOT_FROM_THE_FORM, beginAuthorization, dev, openForm, submit, type OpenedForm } from "./dev-login-browser";
import { expectPageHeaders, pageBody } from "./page-support";

describe("development login: only its own page may answer", () => {
  it("refuses a cross-site POST, even with the form's token and cookie, and the request stays pending", async () => {
    const client = await registerClient();
    const id = await beginAuthorization(client);
    const form = await openForm(id);

    const response = await submit({ authorization_request: id, subject: "user_evil", action: "approve" }, form, {
      "Sec-Fetch-Site": "cross-site",
    });

    expectPageHeaders(response, 403);
    expect(await pageBody(response)).toBe(NOT_FROM_THE_FORM);
    expect((await dev(`/dev/login?authorization_request=${id}`)).status).toBe(200);
  });

  it.each<[string, (form: OpenedForm) => { token?: string; cookie?: string }]>([
    ["no form token", (form) => ({ cookie: form.cookie })],
    ["no cookie", (form) => ({ token: form.formToken })],
    [
      "another value in the form's cookie",
      (form) => ({ token: form.formToken, cookie: `${form.cookie.split("=", 1)[0]}=AAAAAAAAAAAAAAAAAAAAAA` }),
    ],
    ["a token that is not one", (form) => ({ token: "A".repeat(80), cookie: form.cookie })],
  ])("refuses a POST with %s, and the request stays pending", async (_label, pick) => {
    const client = await registerClient();
    const id = await beginAuthorization(client);
    const chosen = pick(await openForm(id));

    const response = await dev("/dev/login", {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        ...(chosen.cookie !== undefined && { Cookie: chosen.cookie }),
      },
      body: new URLSearchParams({
        authorization_request: id,
        subject: "user_evil",
        action: "approve",
        ...(chosen.token !== undefined && { form_token: chosen.token }),
      }),
    });

    expectPageHeaders(response, 403);
    expect(await pageBody(response)).toBe(NOT_FROM_THE_FORM);
    expect((await dev(`/dev/login?authorization_request=${id}`)).status).toBe(200);
  });

  it("takes the answer of each of two forms open at once in one browser, whose cookies both come", async () => {
    const client = await registerClient();
    const [first, second] = [await beginAuthorization(client), await beginAuthorization(client)];
    const [firstForm, secondForm] = [await openForm(first), await openForm(second)];
    expect(firstForm.cookie.split("=", 1)[0]).not.toBe(secondForm.cookie.split("=", 1)[0]);
    const both = `${secondForm.cookie}; ${firstForm.cookie}`;

    const answers = [
      await submit(
        { authorization_request: first, subject: "user_a", action: "approve" },
        { ...firstForm, cookie: both },
      ),
      await submit(
        { authorization_request: second, subject: "user_b", action: "deny" },
        { ...secondForm, cookie: both },
      ),
    ];

    expect(answers.map((answer) => answer.status)).toEqual([303, 303]);
  });

  it("refuses one request's form token for another request", async () => {
    const client = await registerClient();
    const mine = await beginAuthorization(client);
    const theirs = await beginAuthorization(client);
    const form = await openForm(mine);

    const response = await submit({ authorization_request: theirs, subject: "user_evil", action: "approve" }, form);

    expectPageHeaders(response, 403);
    expect((await dev(`/dev/login?authorization_request=${theirs}`)).status).toBe(200);
  });
});
