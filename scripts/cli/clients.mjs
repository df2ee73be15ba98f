// `baton clients ...`: register, read, change and delete clients, and rotate their secrets,
// through the admin API's /admin/clients routes.
import { METADATA_FLAGS, metadataFromFlags, readMetadataFile } from "./client-metadata.mjs";
import { refuse, usage } from "./errors.mjs";
import { cell, fields, printable, table, time } from "./render.mjs";

/** The line printed under every secret, which the server shows only in the answer that makes it. */
export const SHOWN_ONCE = "This secret is shown this once: Baton keeps only its hash, so store it now.";

// The order a client's fields are shown in; any others follow in the server's order.
const FIELD_ORDER = [
  "client_id",
  "client_name",
  "client_kind",
  "redirect_uris",
  "post_logout_redirect_uris",
  "grant_types",
  "token_endpoint_auth_method",
  "scope",
  "organization_id",
  "application_type",
  "client_uri",
  "logo_uri",
  "contacts",
  "software_id",
  "software_version",
  "id_token_signed_response_alg",
  "jwks_uri",
  "jwks",
  "client_id_issued_at",
];
const SECRET_FIELDS = ["client_secret_id", "client_secret", "client_secret_expires_at"];

function fieldValue(name, value) {
  if (name === "client_secret_expires_at" && value === 0) return "never";
  if (name.endsWith("_at") && typeof value === "number") return time(value);
  if (name === "client_secrets" && Array.isArray(value))
    return value.map((secret) => `${cell(secret.client_secret_id)}  created ${time(secret.created_at)}`);
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value.map(cell);
  return cell(value);
}

/** One client as `field value` lines: its metadata, its secrets' ids, then a new secret if any. */
export function renderClient(client) {
  const names = [
    ...FIELD_ORDER.filter((name) => Object.hasOwn(client, name)),
    ...Object.keys(client).filter(
      (name) => !FIELD_ORDER.includes(name) && !SECRET_FIELDS.includes(name) && name !== "client_secrets",
    ),
    ...(Object.hasOwn(client, "client_secrets") ? ["client_secrets"] : []),
    ...SECRET_FIELDS.filter((name) => Object.hasOwn(client, name)),
  ];
  const text = fields(names.map((name) => [printable(name), fieldValue(name, client[name])]));
  return typeof client.client_secret === "string" ? `${text}\n\n${SHOWN_ONCE}` : text;
}

/** Clients as a table, one line each. */
export function renderClientList(clients, cursor) {
  if (clients.length === 0) return "No clients.";
  const text = table(
    [
      { title: "CLIENT ID", value: (c) => cell(c.client_id) },
      { title: "NAME", value: (c) => cell(c.client_name) },
      { title: "AUTH METHOD", value: (c) => cell(c.token_endpoint_auth_method) },
      { title: "GRANT TYPES", value: (c) => cell(c.grant_types) },
    ],
    clients,
  );
  return cursor ? `${text}\n\n${clients.length} shown; more follow: --cursor ${printable(cursor)}` : text;
}

/**
 * Reads pages of `GET /admin/clients` until the cursor is null or `limit` clients are in.
 * @returns {Promise<{ clients: object[], cursor: string | null }>} `cursor` names the rest, if any
 */
export async function listClients(request, { limit = Infinity, cursor = null, pageSize = 100 } = {}) {
  const clients = [];
  const seen = new Set();
  for (;;) {
    const query = new URLSearchParams();
    if (limit !== Infinity) query.set("limit", String(Math.min(pageSize, limit - clients.length)));
    if (cursor !== null) query.set("cursor", cursor);
    const path = `/admin/clients${query.size > 0 ? `?${query}` : ""}`;
    const { body } = await request("GET", path);
    if (!Array.isArray(body?.clients)) refuse(`GET ${path} did not answer a list of clients`);
    clients.push(...body.clients);
    cursor = typeof body.cursor === "string" && body.cursor !== "" ? body.cursor : null;
    if (cursor === null || clients.length >= limit) return { clients: clients.slice(0, limit), cursor };
    // A server that hands out one cursor twice would keep this loop going for ever.
    if (seen.has(cursor)) refuse("the server gave the same cursor twice; stopping");
    seen.add(cursor);
  }
}

function positiveInteger(value, flag) {
  if (!/^\d{1,9}$/.test(value) || Number(value) < 1) usage(`${flag} must be a whole number from 1 up`);
  return Number(value);
}

const clientPath = (id) => `/admin/clients/${encodeURIComponent(id)}`;

function metadata({ flags, directory }) {
  return metadataFromFlags(flags, (source) => readMetadataFile(source, directory));
}

/** @type {import("./main.mjs").Group} */
export const clients = {
  name: "clients",
  summary: "register, read, change and delete clients; rotate their secrets",
  commands: [
    {
      name: "list",
      summary: "every client, following the cursor to the end (or to --limit)",
      flags: {
        "--limit": { value: "N", help: "stop after N clients" },
        "--cursor": { value: "CURSOR", help: "start where an earlier listing stopped" },
      },
      async run({ flags, request, json }) {
        const limit = flags["--limit"] === undefined ? Infinity : positiveInteger(flags["--limit"], "--limit");
        const listed = await listClients(request, { limit, cursor: flags["--cursor"] ?? null });
        return json ? JSON.stringify(listed) : renderClientList(listed.clients, listed.cursor);
      },
    },
    {
      name: "create",
      summary: "register a client; prints its secret, once",
      flags: METADATA_FLAGS,
      async run(context) {
        const { text, body } = await context.request("POST", "/admin/clients", metadata(context));
        return context.json ? text : renderClient(body);
      },
    },
    {
      name: "get",
      operands: ["CLIENT_ID"],
      summary: "a client's metadata and its secrets' ids (never a secret)",
      async run({ operands: [id], request, json }) {
        const { text, body } = await request("GET", clientPath(id));
        return json ? text : renderClient(body);
      },
    },
    {
      name: "update",
      operands: ["CLIENT_ID"],
      summary: "change the metadata given (a list given replaces the old one)",
      flags: METADATA_FLAGS,
      async run(context) {
        const change = metadata(context);
        if (Object.keys(change).length === 0) usage("nothing to change: give metadata flags or --metadata");
        const { text, body } = await context.request("PATCH", clientPath(context.operands[0]), change);
        return context.json ? text : renderClient(body);
      },
    },
    {
      name: "delete",
      operands: ["CLIENT_ID"],
      summary: "delete a client; its tokens stop working at once",
      async run({ operands: [id], request, json }) {
        await request("DELETE", clientPath(id));
        return json ? "" : `Deleted client ${printable(id)}.`;
      },
    },
    {
      name: "add-secret",
      operands: ["CLIENT_ID"],
      summary: "a second secret, for rotation; prints it, once",
      async run({ operands: [id], request, json }) {
        const { text, body } = await request("POST", `${clientPath(id)}/secrets`);
        if (json) return text;
        return [
          renderClient({ client_secret_id: body.client_secret_id, client_secret: body.client_secret }),
          `The older secrets keep working until you delete them: baton clients delete-secret ${printable(id)} SECRET_ID`,
        ].join("\n");
      },
    },
    {
      name: "delete-secret",
      operands: ["CLIENT_ID", "SECRET_ID"],
      summary: "delete one secret (never a confidential client's last)",
      async run({ operands: [id, secretId], request, json }) {
        await request("DELETE", `${clientPath(id)}/secrets/${encodeURIComponent(secretId)}`);
        return json ? "" : `Deleted secret ${printable(secretId)} of client ${printable(id)}.`;
      },
    },
  ],
};
