/**
 * Where a person goes to log in: the host application's page (`LOGIN_URL`), or the built-in
 * development one when only `DEV_LOGIN` is on. Shared by `/oauth2/authorize` and `/device`.
 */
import type { Config } from "../config";

/** The path of the built-in development login page. */
export const DEV_LOGIN_PATH = "/dev/login";

/** The login page for requests to `url`'s origin; `undefined` when none is configured. */
export function loginPage(config: Config, url: URL): URL | undefined {
  if (config.loginUrl !== undefined) return new URL(config.loginUrl);
  if (config.devLogin) return new URL(DEV_LOGIN_PATH, url.origin);
  return undefined;
}
