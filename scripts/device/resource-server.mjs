// A downstream API as the token exchange part needs one: it accepts a bearer token when jose
// verifies it against Baton's JWKS as an access token (typ at+jwt) issued by Baton for this API's
// own address, and answers who it speaks for. It only checks the signature and claims, never
// introspects, so the check can show what such a server still accepts after a revocation.
// Listens on 127.0.0.1 only.
import { createServer } from "node:http";
import { jwtVerify } from "jose";
import { freePort } from "../dev-server.mjs";

/**
 * Starts the API; `as` is Baton's metadata and `jwks` its key set.
 * @returns {Promise<{ resource, callApi, close }>} `resource` is the API's URL, the audience it
 *   demands; `callApi(token)` resolves `{status, body, www}` (`www`: its WWW-Authenticate).
 */
export async function startApi({ as, jwks }) {
  const port = await freePort();
  const resource = `http://127.0.0.1:${port}/api`;
  const server = createServer(async (request, response) => {
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1];
    try {
      if (token === undefined) throw new Error("no bearer token");
      const { payload } = await jwtVerify(token, jwks, {
        issuer: as.issuer,
        audience: resource,
        typ: "at+jwt",
      });
      response.writeHead(200, { "Content-Type": "application/json" });
      response.end(JSON.stringify({ sub: payload.sub, act: payload.act }));
    } catch (error) {
      // jose's error code says which check failed; the part reads it off the challenge.
      response.writeHead(401, {
        "WWW-Authenticate": `Bearer error="invalid_token", error_description="${error.code ?? "invalid"}"`,
      });
      response.end();
    }
  });
  await new Promise((r) => server.listen(port, "127.0.0.1", r));

  async function callApi(token) {
    const answer = await fetch(resource, { headers: { Authorization: `Bearer ${token}` } });
    return {
      status: answer.status,
      body: answer.ok ? await answer.json() : await answer.text(),
      www: answer.headers.get("WWW-Authenticate"),
    };
  }

  return { resource, callApi, close: () => server.close() };
}
