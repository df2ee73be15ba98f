// Client metadata from the command line: flags for the common RFC 7591 fields, or a JSON
// object from a file or standard input (`--metadata FILE|-`), the flags winning over the file.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { usage } from "./errors.mjs";

/** The flags that set metadata, and the RFC 7591 field each one sets. */
export const METADATA_FLAGS = {
  "--name": { value: "NAME", field: "client_name", help: "client_name, shown on the consent screen" },
  "--redirect-uri": { value: "URI", repeat: true, field: "redirect_uris", help: "a redirect URI (repeat for more)" },
  "--grant-type": {
    value: "TYPE",
    repeat: true,
    field: "grant_types",
    help: "authorization_code, refresh_token, client_credentials, ... (repeat for more)",
  },
  "--auth-method": {
    value: "METHOD",
    field: "token_endpoint_auth_method",
    help: "client_secret_basic, client_secret_post, none or private_key_jwt",
  },
  "--scope": { value: "SCOPE", field: "scope", help: 'the scopes it may ask for, space-separated ("openid email")' },
  "--organization-id": { value: "ID", field: "organization_id", help: "organization_id, put into its tokens" },
  "--metadata": { value: "FILE|-", help: "a JSON object of metadata, from FILE or standard input (-)" },
};

/**
 * Reads the JSON object named by `--metadata`: `-` for standard input, else a path relative to
 * `directory` (where the command was typed).
 * @throws {import("./errors.mjs").UsageError}
 */
export function readMetadataFile(source, directory, readText = (path) => readFileSync(path, "utf8")) {
  const label = source === "-" ? "standard input" : source;
  let text;
  try {
    text = readText(source === "-" ? 0 : resolve(directory, source));
  } catch (error) {
    if (error.code === "ENOENT") usage(`${label} does not exist`);
    usage(`${label} cannot be read (${error.code ?? error.message})`);
  }
  let metadata;
  try {
    metadata = JSON.parse(text);
  } catch {
    usage(`${label} is not JSON`);
  }
  if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata))
    usage(`${label} must hold a JSON object of client metadata`);
  return metadata;
}

/**
 * The metadata `flags` give: `--metadata`'s object (read by `readFile`), then each metadata
 * flag's field over it. A repeated flag gives a list, which replaces the file's.
 * @param {Record<string, unknown>} flags
 * @param {(source: string) => Record<string, unknown>} readFile
 */
export function metadataFromFlags(flags, readFile) {
  const metadata = flags["--metadata"] === undefined ? {} : readFile(flags["--metadata"]);
  for (const [flag, spec] of Object.entries(METADATA_FLAGS)) {
    if (spec.field !== undefined && flags[flag] !== undefined) metadata[spec.field] = flags[flag];
  }
  return metadata;
}
