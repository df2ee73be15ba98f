/**
 * RP-initiated logout requests that are refused: a 400 page, no redirect, and nothing revoked.
 * A hint that is not Baton's, a client that is not the hint's, a post_logout_redirect_uri that
 * is not registered exactly, or a request that does not parse.
 *
 * @see OpenID Connect RP-Initiated Logout 1.0 §2, §3, §4
 */
import { SignJWT, generateKeyPair } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { registerClient, type TestClient } from "../support/clients";
import { jwtPayload } from "../support/code-flow";
import { readFamily } from "../support/families";
import { admin } from "../support/worker";
import { expectFamilyLive } from "../revocation/endpoint-requests";
import { configuredKeys, signWithConfiguredKey } from "../userinfo/test-tokens";
import {
  LOGOUT_URL,
  POST_LOGOUT_URI,
  REASON,
  expectPage,
  logoutClient,
  logoutGet,
  logoutPost,
  refused,
  send,
  signIn,
} from "./logout-support";

let client: TestClient;
let other: TestClient;

beforeAll(async () => {
  [client, other] = await Promise.all([logoutClient(), logoutClient()]);
});

/** The hint's claims, signed by `sign` instead of by Baton. */
async function resigned(idToken: string, sign: (claims: Record<string, unknown>) => Promise<string>) {
  return sign(jwtPayload(idToken));
}

/** Asserts the refusal page and that the session was left exactly as it was. */
async function expectRefusedAndLive(
  response: Response,
  reason: string,
  session: Awaited<ReturnType<typeof signIn>>,
  status = 400,
) {
  await expectPage(response, status, refused(reason));
  expect(response.headers.get("Location")).toBeNull();
  expect(await readFamily(session.sid)).toBeDefined();
  await expectFamilyLive(client, session.tokens);
}

describe("RP-initiated logout: hints that are not Baton's", () => {
  it.each<[string, (idToken: string) => Promise<string>]>([
    ["not a JWT at all", async () => "not-a-jwt"],
    [
      "the hint with its signature changed",
      async (idToken) => idToken.slice(0, -4) + (idToken.endsWith("AAAA") ? "BBBB" : "AAAA"),
    ],
    [
      "signed by Baton's key for another issuer",
      (idToken) =>
        resigned(idToken, (claims) =>
          signWithConfiguredKey({ ...claims, iss: "https://other.test" }, 0, { typ: "JWT" }),
        ),
    ],
    [
      "signed by a key that is not Baton's, under Baton's kid",
      (idToken) =>
        resigned(idToken, async (claims) => {
          const jwk = configuredKeys()[0]!;
          const { privateKey } = await generateKeyPair(jwk.alg);
          return new SignJWT(claims).setProtectedHeader({ alg: jwk.alg, kid: jwk.kid, typ: "JWT" }).sign(privateKey);
        }),
    ],
    [
      "signed with HS256 under Baton's kid",
      (idToken) =>
        resigned(idToken, (claims) =>
          new SignJWT(claims)
            .setProtectedHeader({ alg: "HS256", kid: configuredKeys()[0]!.kid, typ: "JWT" })
            .sign(new TextEncoder().encode("a shared secret anyone could guess")),
        ),
    ],
    [
      "unsigned (alg none)",
      async (idToken) => {
        const [, payload] = idToken.split(".");
        const header = btoa(JSON.stringify({ alg: "none", typ: "JWT" })).replace(/=+$/, "");
        return `${header}.${payload}.`;
      },
    ],
    [
      "typed as an access token",
      (idToken) => resigned(idToken, (claims) => signWithConfiguredKey(claims, 0, { typ: "at+jwt" })),
    ],
  ])("refuses a hint %s, and leaves the grant live", async (_label, hintOf) => {
    const session = await signIn(client);

    const response = await logoutGet({
      id_token_hint: await hintOf(session.tokens.id_token),
      post_logout_redirect_uri: POST_LOGOUT_URI,
      state: "s",
    });

    await expectRefusedAndLive(response, REASON.hint, session);
  });

  it("refuses the session's access token as a hint", async () => {
    const session = await signIn(client);

    const response = await logoutGet({ id_token_hint: session.tokens.access_token }, { LOGOUT_URL });

    await expectRefusedAndLive(response, REASON.hint, session);
  });

  it("refuses a client_id that is not the hint's audience", async () => {
    const session = await signIn(client);

    const response = await logoutGet({
      id_token_hint: session.tokens.id_token,
      client_id: other.client_id,
      post_logout_redirect_uri: POST_LOGOUT_URI,
    });

    await expectRefusedAndLive(response, REASON.clientMismatch, session);
  });
});

describe("RP-initiated logout: post_logout_redirect_uris matched exactly", () => {
  it.each([
    ["another site", "https://evil.example/signed-out"],
    ["a trailing slash", `${POST_LOGOUT_URI}/`],
    ["another case", "https://App.example/signed-out"],
    ["an added query", `${POST_LOGOUT_URI}?x=1`],
    ["a fragment", `${POST_LOGOUT_URI}#x`],
    ["a default port spelled out", "https://app.example:443/signed-out"],
    ["the client's redirect_uri (for logins, not logouts)", "https://app.example/callback"],
  ])("refuses a post_logout_redirect_uri with %s, and leaves the grant live", async (_label, uri) => {
    const session = await signIn(client);

    const response = await logoutGet({ id_token_hint: session.tokens.id_token, post_logout_redirect_uri: uri });

    await expectRefusedAndLive(response, REASON.unregistered, session);
  });

  it("refuses a loopback post_logout_redirect_uri on another port than registered", async () => {
    const native = await registerClient({ post_logout_redirect_uris: ["http://127.0.0.1:4000/bye"] });
    const session = await signIn(native);

    const response = await logoutGet({
      id_token_hint: session.tokens.id_token,
      post_logout_redirect_uri: "http://127.0.0.1:4001/bye",
    });

    await expectPage(response, 400, refused(REASON.unregistered));
    await expectFamilyLive(native, session.tokens);
  });

  it("refuses another client's post_logout_redirect_uri", async () => {
    await registerClient({ post_logout_redirect_uris: ["https://elsewhere.example/bye"] });
    const session = await signIn(client);

    const response = await logoutGet({
      id_token_hint: session.tokens.id_token,
      post_logout_redirect_uri: "https://elsewhere.example/bye",
    });

    await expectRefusedAndLive(response, REASON.unregistered, session);
  });

  it("refuses any post_logout_redirect_uri for a client that registered none", async () => {
    const bare = await registerClient();
    const session = await signIn(bare);

    const response = await logoutGet({
      id_token_hint: session.tokens.id_token,
      post_logout_redirect_uri: "https://app.example/signed-out",
    });

    await expectPage(response, 400, refused(REASON.unregistered));
    await expectFamilyLive(bare, session.tokens);
  });

  it("refuses a post_logout_redirect_uri of a client deleted since", async () => {
    const doomed = await logoutClient();
    const session = await signIn(doomed);
    expect((await admin("DELETE", `/admin/clients/${doomed.client_id}`)).status).toBe(204);

    const response = await logoutGet({
      id_token_hint: session.tokens.id_token,
      post_logout_redirect_uri: POST_LOGOUT_URI,
    });

    await expectPage(response, 400, refused(REASON.unregistered));
    expect(await readFamily(session.sid)).toBeDefined();
  });

  it("refuses a post_logout_redirect_uri that names no client (no hint, no client_id)", async () => {
    await expectPage(await logoutGet({ post_logout_redirect_uri: POST_LOGOUT_URI }), 400, refused(REASON.whose));
  });

  it("refuses a client_id that is not registered", async () => {
    await expectPage(await logoutGet({ client_id: "client_unknown" }), 400, refused(REASON.unknownClient));
  });
});

describe("RP-initiated logout: requests that do not parse", () => {
  it("refuses a parameter given twice in the query, and leaves the grant live", async () => {
    const session = await signIn(client);

    const response = await logoutGet([
      ["id_token_hint", session.tokens.id_token],
      ["post_logout_redirect_uri", POST_LOGOUT_URI],
      ["post_logout_redirect_uri", "https://evil.example/"],
    ]);

    await expectRefusedAndLive(response, REASON.repeated, session);
  });

  it("refuses a parameter given twice in a form body, and leaves the grant live", async () => {
    const session = await signIn(client);
    const hint = encodeURIComponent(session.tokens.id_token);

    const response = await logoutPost(`id_token_hint=${hint}&state=a&state=b`);

    await expectRefusedAndLive(response, REASON.repeated, session);
  });

  it("refuses a JSON body, and leaves the grant live", async () => {
    const session = await signIn(client);

    const response = await send("/oauth2/logout", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ id_token_hint: session.tokens.id_token }),
    });

    await expectRefusedAndLive(response, REASON.mediaType, session);
  });

  it("refuses a body over 64 KiB with 413", async () => {
    const session = await signIn(client);

    const response = await logoutPost({ id_token_hint: session.tokens.id_token, padding: "x".repeat(65 * 1024) });

    await expectRefusedAndLive(response, "The request body is too large.", session, 413);
  });

  it("refuses a body that is not UTF-8", async () => {
    await expectPage(await logoutPost("state=%FF"), 400, refused("The body is not valid UTF-8."));
  });

  it("refuses a state over 2048 characters, and leaves the grant live", async () => {
    const session = await signIn(client);

    const response = await logoutGet({
      id_token_hint: session.tokens.id_token,
      post_logout_redirect_uri: POST_LOGOUT_URI,
      state: "s".repeat(2049),
    });

    await expectRefusedAndLive(response, REASON.state, session);
  });

  it.each(["PUT", "DELETE", "PATCH"])("answers %s with 405 and Allow: GET, POST", async (method) => {
    const response = await send("/oauth2/logout", { method });

    expect(response.status).toBe(405);
    expect(response.headers.get("Allow")).toBe("GET, POST");
    expect(await response.json()).toEqual({
      error: "invalid_request",
      error_description: "This method is not allowed here.",
    });
  });

  it("is no endpoint for scripts of other origins: no CORS, and no preflight", async () => {
    const session = await signIn(client);
    const response = await logoutGet({ id_token_hint: "not-a-jwt" });
    expect(response.headers.get("Access-Control-Allow-Origin")).toBeNull();

    const preflight = await send("/oauth2/logout", {
      method: "OPTIONS",
      headers: { Origin: "https://app.example", "Access-Control-Request-Method": "POST" },
    });

    expect(preflight.status).toBe(405);
    expect(preflight.headers.get("Access-Control-Allow-Origin")).toBeNull();
    await expectFamilyLive(client, session.tokens);
  });
});
