// What a browser does with Baton's development login, over plain HTTP: follow /oauth2/authorize
// to /dev/login, read the form, post Approve with the form's cookie, and stop at the 303 to the
// client's redirect URI (nothing needs to listen there: the code is read off the Location).
// Only 127.0.0.1 is ever addressed.

/** What the user types into the development login. */
export const DEFAULT_USER = { subject: "user_mcp", email: "mcp@example.com", name: "Ada Lovelace" };

/**
 * Signs `user` in at `authorizationUrl` (a full /oauth2/authorize URL) and resolves with the
 * URL the browser is then sent to: the client's redirect URI with `code`, `state` and `iss`, or
 * with `error` when Baton answered the authorization request with an error redirect. Throws when
 * Baton shows a page instead (unknown client, unregistered redirect URI, a refused login).
 */
export async function signIn(authorizationUrl, user = DEFAULT_USER) {
  const start = loopbackOnly(authorizationUrl);
  const authorize = await fetch(start, { redirect: "manual" });
  const next = authorize.headers.get("location");
  if (authorize.status !== 302 || next === null) {
    throw new Error(`GET ${start.pathname} answered ${authorize.status}: ${await pageText(authorize)}`);
  }
  const login = new URL(next, start);
  // An error redirect goes straight back to the client: that is the answer.
  if (login.origin !== start.origin || login.pathname !== "/dev/login") return login;

  const page = await fetch(loopbackOnly(login), { redirect: "manual" });
  const html = await page.text();
  if (page.status !== 200) throw new Error(`GET /dev/login answered ${page.status}: ${textOf(html)}`);
  const cookies = page.headers
    .getSetCookie()
    .map((line) => line.split(";", 1)[0])
    .join("; ");
  if (cookies === "") throw new Error("GET /dev/login set no cookie");
  const form = readForm(html);
  const fields = new URLSearchParams({
    ...form.hidden,
    subject: user.subject,
    ...(user.email !== undefined && { email: user.email }),
    ...(user.name !== undefined && { name: user.name }),
    action: "approve",
  });
  const submit = await fetch(loopbackOnly(new URL(form.action, login)), {
    method: "POST",
    redirect: "manual",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      Cookie: cookies,
      // What a browser sends with a form posted from its own page.
      "Sec-Fetch-Site": "same-origin",
      Origin: login.origin,
    },
    body: fields.toString(),
  });
  const callback = submit.headers.get("location");
  if (submit.status !== 303 || callback === null) {
    throw new Error(`POST /dev/login answered ${submit.status}: ${await pageText(submit)}`);
  }
  return new URL(callback);
}

/**
 * The code from an authorization response, after checking it the way RFC 6749 §4.1.2 and
 * RFC 9207 ask a client to: one `state` equal to the one sent, one `iss` equal to the issuer.
 */
export function codeFrom(callback, { state, issuer }) {
  const params = callback.searchParams;
  if (params.has("error")) {
    throw new Error(
      `authorization error: ${params.get("error")} (${params.get("error_description") ?? "no description"})`,
    );
  }
  const one = (name) => {
    const values = params.getAll(name);
    if (values.length !== 1) throw new Error(`authorization response has ${values.length} ${name} parameters`);
    return values[0];
  };
  if (state !== undefined && one("state") !== state) throw new Error("authorization response: state differs");
  if (one("iss") !== issuer) throw new Error(`authorization response: iss ${params.get("iss")} is not ${issuer}`);
  const code = one("code");
  if (code === "") throw new Error("authorization response: empty code");
  return code;
}

/** The form of the development login page: its action and its hidden fields. */
export function readForm(html) {
  const form = /<form\b([^>]*)>/i.exec(html);
  if (form === null) throw new Error(`the login page has no form: ${textOf(html)}`);
  const action = attributes(form[1]).action ?? "";
  const hidden = {};
  for (const [, attrs] of html.matchAll(/<input\b([^>]*)>/gi)) {
    const input = attributes(attrs);
    if (input.type === "hidden" && input.name !== undefined) hidden[input.name] = input.value ?? "";
  }
  for (const name of ["authorization_request", "form_token"]) {
    if (!(name in hidden)) throw new Error(`the login form has no hidden ${name} field`);
  }
  return { action, hidden };
}

function attributes(text) {
  const result = {};
  for (const [, name, quoted, single, bare] of text.matchAll(
    /([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g,
  )) {
    result[name.toLowerCase()] = unescapeHtml(quoted ?? single ?? bare ?? "");
  }
  return result;
}

function unescapeHtml(text) {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, entity) => {
    const lower = entity.toLowerCase();
    if (lower.startsWith("#x")) return String.fromCodePoint(parseInt(lower.slice(2), 16));
    if (lower.startsWith("#")) return String.fromCodePoint(Number(lower.slice(1)));
    return { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" }[lower];
  });
}

/** A page's visible text, short, for error messages. */
async function pageText(response) {
  return textOf(await response.text());
}

function textOf(html) {
  const body = /<body[^>]*>([\s\S]*)<\/body>/i.exec(html)?.[1] ?? html;
  const text = unescapeHtml(
    body
      .replace(/<(script|style)[\s\S]*?<\/\1>/gi, "")
      .replace(/<[^>]+>/g, " ")
      .replace(/\s+/g, " ")
      .trim(),
  );
  return text.length > 300 ? `${text.slice(0, 300)}…` : text || "(empty body)";
}

function loopbackOnly(url) {
  const parsed = new URL(url);
  if (parsed.hostname !== "127.0.0.1") throw new Error(`refusing to load ${parsed.origin}: only 127.0.0.1`);
  return parsed;
}
