// Which Baton a command talks to, and with which admin token: the flags, else BATON_URL and
// ADMIN_TOKEN, else the local `npm run dev` (http://localhost:8787, and the ADMIN_TOKEN of the
// .dev.vars file it wrote).
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_URL, httpBaseUrl } from "../demo-target.mjs";
import { readSetting } from "../dev-vars.mjs";
import { usage } from "./errors.mjs";

/** The repository the CLI belongs to, where `npm run dev` writes .dev.vars. */
export const REPOSITORY_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The flags every command that talks to a server takes. */
export const TARGET_FLAGS = {
  "--url": { value: "URL", help: `Baton's address (default: $BATON_URL, else ${DEFAULT_URL})` },
  "--admin-token": {
    value: "TOKEN",
    help: "the admin token (default: $ADMIN_TOKEN, else ADMIN_TOKEN in .dev.vars for a local URL)",
  },
};

/** Whether `url` names this machine, where a .dev.vars token may be sent. */
export function isLoopback(url) {
  const host = new URL(url).hostname;
  return host === "localhost" || host === "[::1]" || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * ADMIN_TOKEN from the first .dev.vars in `directories` that sets it.
 * @returns {{ token: string, file: string } | undefined}
 */
export function devVarsToken(directories) {
  for (const directory of new Set(directories)) {
    const file = join(directory, ".dev.vars");
    let text;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    const token = readSetting(text, "ADMIN_TOKEN");
    if (token) return { token, file };
  }
  return undefined;
}

/**
 * The base URL (no trailing slash) and admin token for `flags`. A .dev.vars token is used only
 * for a loopback URL: a local development token has no business leaving the machine.
 * @param {Record<string, unknown>} flags parsed `--url` and `--admin-token`
 * @param {Record<string, string | undefined>} env
 * @param {string[]} directories where to look for .dev.vars, in order
 * @returns {{ url: string, adminToken: string }}
 * @throws {import("./errors.mjs").UsageError}
 */
export function resolveTarget(flags, env, directories) {
  const [given, label] =
    flags["--url"] !== undefined ? [flags["--url"], "--url"] : env.BATON_URL ? [env.BATON_URL, "BATON_URL"] : [];
  const url =
    given === undefined ? DEFAULT_URL : (httpBaseUrl(given) ?? usage(`${label} must be an http or https URL`));
  const adminToken =
    flags["--admin-token"] ??
    (env.ADMIN_TOKEN || undefined) ??
    (isLoopback(url) ? devVarsToken(directories)?.token : undefined);
  if (adminToken === undefined) {
    usage(
      isLoopback(url)
        ? "no admin token: pass --admin-token or set ADMIN_TOKEN (`npm run dev` writes one to .dev.vars)"
        : "no admin token: pass --admin-token or set ADMIN_TOKEN",
    );
  }
  return { url, adminToken };
}

/** Where the command was typed: npm runs scripts in the package root and says so in INIT_CWD. */
export function callerDirectory(env = process.env) {
  return env.INIT_CWD || process.cwd();
}
