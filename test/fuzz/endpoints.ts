/** The endpoints the fuzz properties exercise, and the parameters each reads. */
export const ENDPOINTS = {
  token: {
    path: "/oauth2/token",
    names: [
      "grant_type",
      "refresh_token",
      "code",
      "redirect_uri",
      "code_verifier",
      "scope",
      "resource",
      "device_code",
      "subject_token",
      "subject_token_type",
      "audience",
    ],
  },
  revoke: { path: "/oauth2/revoke", names: ["token", "token_type_hint"] },
  introspection: { path: "/oauth2/introspection", names: ["token", "token_type_hint"] },
  // RFC 8628 §3.1: the device authorization request.
  device: { path: "/oauth2/device_authorization", names: ["scope", "resource"] },
} as const;

export type Endpoint = keyof typeof ENDPOINTS;

/**
 * Open dynamic registration (RFC 7591), which takes a JSON object of client metadata rather
 * than parameters: the members it reads, every other one being ignored.
 */
export const REGISTRATION = {
  path: "/oauth2/register",
  members: [
    "redirect_uris",
    "client_name",
    "client_uri",
    "logo_uri",
    "contacts",
    "software_id",
    "software_version",
    "application_type",
    "grant_types",
    "response_types",
    "token_endpoint_auth_method",
    "scope",
    "post_logout_redirect_uris",
    "jwks",
    "jwks_uri",
  ],
} as const;

/** Every endpoint whose answers answer-checks.ts checks. */
export type CheckedEndpoint = Endpoint | "register";

/** A generated parameter: name and value. */
export type Pair = [string, string];
