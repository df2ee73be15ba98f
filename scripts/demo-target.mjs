// Which Baton `npm run demo` talks to: `--url URL`, `--port P` (http://localhost:P), else
// BATON_URL, else the address `npm run dev` serves on.

export const DEFAULT_URL = "http://localhost:8787";
export const DEMO_USAGE =
  "usage: npm run demo [-- --url URL | --port P]  (default: $BATON_URL, else http://localhost:8787)";

/** A mistake on the command line; its message is one line, ready to print. */
export class DemoUsageError extends Error {}

function refuse(problem) {
  throw new DemoUsageError(`${problem}; ${DEMO_USAGE}`);
}

/** `value` without a trailing slash when it is an http or https URL, else undefined. */
export function httpBaseUrl(value) {
  let url;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  return value.replace(/\/$/, "");
}

function httpUrl(value, label) {
  return httpBaseUrl(value) ?? refuse(`${label} must be an http or https URL`);
}

function port(value) {
  // Digits only: Number("") and Number("0x50") would otherwise pass as ports.
  if (!/^\d{1,5}$/.test(value) || Number(value) < 1 || Number(value) > 65535)
    refuse("--port must be a port number from 1 to 65535");
  return `http://localhost:${Number(value)}`;
}

/**
 * Reads the demo's arguments (`--url URL`, `--url=URL`, `--port P`, `--port=P`, `-h`/`--help`).
 * @returns {{ help: true } | { help: false, baseUrl: string }} baseUrl without a trailing slash
 * @throws {DemoUsageError} for an unknown flag, a missing or malformed value, or both flags
 */
export function demoTarget(args, env = {}) {
  const given = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "-h" || arg === "--help") return { help: true };
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? arg.split(/=(.*)/s) : [arg, undefined];
    if (flag !== "--url" && flag !== "--port") refuse(`unknown argument ${arg}`);
    const value = inline ?? args[++i];
    if (value === undefined || value === "") refuse(`${flag} needs a value`);
    if (given[flag] !== undefined) refuse(`${flag} given twice`);
    given[flag] = value;
  }
  if (given["--url"] !== undefined && given["--port"] !== undefined) refuse("give --url or --port, not both");
  if (given["--url"] !== undefined) return { help: false, baseUrl: httpUrl(given["--url"], "--url") };
  if (given["--port"] !== undefined) return { help: false, baseUrl: port(given["--port"]) };
  if (env.BATON_URL) return { help: false, baseUrl: httpUrl(env.BATON_URL, "BATON_URL") };
  return { help: false, baseUrl: DEFAULT_URL };
}
