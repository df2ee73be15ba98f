// The person's side of a device flow, done over HTTP as a browser and the host application
// would: open the verification URI with the code typed in, follow the hand-off to the login,
// and answer through the admin API as the host application does after its consent screen. The
// device flow parts all run it while their client polls, so it checks what each step showed.

/**
 * Types `typed` (any case, with or without the dash) at `verificationUri`, then approves as
 * `subject` or denies. Resolves with what the consent screen was given to show (`asked`).
 */
export async function person(p, { base, admin }, { verificationUri, typed, subject, approve }) {
  const url = new URL(verificationUri);
  url.searchParams.set("user_code", typed);
  const handOff = await fetch(url, { redirect: "manual" });
  await handOff.arrayBuffer();
  const login = new URL(handOff.headers.get("Location") ?? "/nowhere", base);
  const id = login.searchParams.get("authorization_request");
  p.check(
    handOff.status === 302 && login.pathname === "/dev/login" && id !== null,
    `the person types "${typed}" at ${new URL(verificationUri).pathname}: 302 to the login (${login.pathname}?authorization_request=…)`,
    `${handOff.status} ${login}`,
  );
  const asked = await admin("GET", `/admin/authorizations/${id}`);
  p.log(`consent screen reads: client ${asked.client_name}, scope "${asked.scope}", kind ${asked.client_kind}`);
  const answer = approve
    ? await admin("POST", `/admin/authorizations/${id}/complete`, {
        subject,
        claims: { email: `${subject}@example.com`, email_verified: true },
      })
    : await admin("POST", `/admin/authorizations/${id}/deny`);
  // Where the browser ends up is all the person sees of the outcome: it must say which it was.
  const page = await fetch(answer.redirect_to);
  const html = await page.text();
  const heading = /<h1>([^<]*)<\/h1>/.exec(html)?.[1];
  p.check(
    page.status === 200 && heading === (approve ? "Device connected" : "Device not connected"),
    `${approve ? "approved" : "denied"}; the browser lands on "${heading}" (${new URL(answer.redirect_to).pathname}${new URL(answer.redirect_to).search})`,
    `${page.status} ${heading}`,
  );
  return { asked };
}
