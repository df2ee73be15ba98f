// The local settings file of `npm run dev` (.dev.vars, which wrangler reads in dotenv format).
// The first run writes every setting; later runs add a setting that a newer version needs and
// the file lacks, and change nothing already there.
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { generateSigningKey } from "./signing-keys.mjs";

/** A fresh secret: 32 random bytes, base64url (43 characters), as TOKEN_SECRETS requires. */
export function randomSecret() {
  return randomBytes(32).toString("base64url");
}

/**
 * What `npm run dev` sets, in file order. `firstRunOnly` settings are choices of the first run,
 * not needs: a developer who removed one meant to, so it is not added back.
 */
export const DEV_SETTINGS = [
  {
    name: "SIGNING_KEYS",
    // ES256 signs; RS256 is published for clients that can verify nothing else. Single quotes:
    // dotenv keeps the JSON inside them literally.
    value: async () =>
      `'${JSON.stringify({ keys: [await generateSigningKey("ES256"), await generateSigningKey("RS256")] })}'`,
  },
  { name: "TOKEN_SECRETS", value: randomSecret },
  // At least 32 characters, or the admin API reports a configuration error.
  { name: "ADMIN_TOKEN", value: randomSecret },
  { name: "DEV_LOGIN", value: () => "true", firstRunOnly: true },
];

const HEADER = "# Local settings for `npm run dev`; never committed. Delete this file to get fresh ones.";

/** The names the dotenv text sets (`NAME=...`, optionally after `export `). */
export function definedNames(text) {
  return new Set([...text.matchAll(/^[ \t]*(?:export[ \t]+)?([\w.-]+)[ \t]*=/gm)].map((match) => match[1]));
}

/**
 * The value the dotenv text gives `name` (its last line wins, as in dotenv), without the single
 * or double quotes around it; undefined when no line sets it.
 */
export function readSetting(text, name) {
  let value;
  for (const match of text.matchAll(/^[ \t]*(?:export[ \t]+)?([\w.-]+)[ \t]*=[ \t]*(.*?)[ \t\r]*$/gm)) {
    if (match[1] === name) value = match[2].replace(/^'(.*)'$|^"(.*)"$/, "$1$2");
  }
  return value;
}

async function lines(settings) {
  const result = [];
  for (const setting of settings) result.push(`${setting.name}=${await setting.value()}`);
  return result;
}

/**
 * Makes sure the file at `path` holds every setting `npm run dev` needs: writes it (mode 0600)
 * when it does not exist, else appends the lines it lacks, leaving the rest of it, and its mode,
 * as they were.
 * @returns {Promise<{ created: boolean, added: string[] }>} the names written or appended
 */
export async function ensureDevVars(path, settings = DEV_SETTINGS) {
  if (!existsSync(path)) {
    writeFileSync(path, [HEADER, ...(await lines(settings)), ""].join("\n"), { mode: 0o600 });
    return { created: true, added: settings.map((setting) => setting.name) };
  }
  const text = readFileSync(path, "utf8");
  const present = definedNames(text);
  const missing = settings.filter((setting) => !setting.firstRunOnly && !present.has(setting.name));
  if (missing.length === 0) return { created: false, added: [] };
  const separator = text === "" || text.endsWith("\n") ? "" : "\n";
  appendFileSync(path, `${separator}${(await lines(missing)).join("\n")}\n`);
  return { created: false, added: missing.map((setting) => setting.name) };
}
