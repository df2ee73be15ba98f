// The two verdicts every part of the DPoP check passes on Baton's answers: a token response is
// bound to the client's key, and a refused request is refused with the right OAuth error code
// (a refusal for any other reason would hide a binding that does not hold).
import { decodeJwt } from "jose";

/** A token response bound to `jkt`: token_type DPoP, the access token's cnf.jkt. */
export function expectBound(tokens, jkt) {
  if (tokens.token_type?.toLowerCase() !== "dpop") throw new Error(`token_type is ${tokens.token_type}, not DPoP`);
  const cnf = decodeJwt(tokens.access_token).cnf;
  if (cnf?.jkt !== jkt) throw new Error(`the access token's cnf.jkt is ${cnf?.jkt}, not ${jkt}`);
}

/** `call` fails with the OAuth error `code`; any other failure is passed on as it is. */
export async function expectOAuthError(call, code) {
  try {
    await call();
  } catch (error) {
    if (error?.error === code) return;
    throw error;
  }
  throw new Error(`expected ${code}, the request succeeded`);
}
