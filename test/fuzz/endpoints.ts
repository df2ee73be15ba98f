/** The endpoints the fuzz properties exercise, and the parameters each reads. */
export const ENDPOINTS = {
  token: {
    path: "/oauth2/token",
    names: ["grant_type", "refresh_token", "code", "redirect_uri", "code_verifier", "scope", "resource"],
  },
  revoke: { path: "/oauth2/revoke", names: ["token", "token_type_hint"] },
  introspection: { path: "/oauth2/introspection", names: ["token", "token_type_hint"] },
} as const;

export type Endpoint = keyof typeof ENDPOINTS;

/** A generated parameter: name and value. */
export type Pair = [string, string];
