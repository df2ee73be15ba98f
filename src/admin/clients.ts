/**
 * The admin client API: register, read, delete clients; add and delete secrets for rotation.
 * A secret is shown once, in the answer that creates it; only its hash is kept.
 *
 * @see RFC 7591 §3.2.1 (client information response)
 */
import { validateClientMetadata } from "../clients/metadata";
import { isConfidential, type ClientRecord } from "../clients/record";
import { generateSecret } from "../clients/secrets";
import { deleteClient, getClient, putClient } from "../clients/store";
import { randomBase64url } from "../encoding/base64url";
import { OAuthError, invalidRequest } from "../errors";
import { readJsonObject } from "../http/json-body";
import { jsonResponse } from "../http/json-response";

// Enough for overlapping rotations; a bound keeps a client's record (and each check) small.
const MAX_SECRETS = 5;

/** `POST /admin/clients`: 201 with the metadata, `client_id` and, once, the first secret. */
export async function createClient(request: Request, kv: KVNamespace): Promise<Response> {
  const metadata = validateClientMetadata(await readJsonObject(request));
  const now = Math.floor(Date.now() / 1000);
  const record: ClientRecord = {
    client_id: `client_${randomBase64url(16)}`,
    client_id_issued_at: now,
    ...metadata,
    secrets: [],
  };
  const answer: Record<string, unknown> = {};
  if (isConfidential(record)) {
    const first = await generateSecret(now);
    record.secrets.push(first.stored);
    // RFC 7591 §3.2.1: 0 means the secret does not expire.
    Object.assign(answer, {
      client_secret: first.secret,
      client_secret_id: first.stored.id,
      client_secret_expires_at: 0,
    });
  }
  await putClient(kv, record);
  return jsonResponse({ ...describeClient(record), ...answer }, 201);
}

/** `GET /admin/clients/ID`: the metadata and the secrets' ids and creation times. */
export async function readClient(kv: KVNamespace, clientId: string): Promise<Response> {
  return jsonResponse(describeClient(await requireClient(kv, clientId)));
}

/** `DELETE /admin/clients/ID`: 204; the client's credentials stop working at once. */
export async function removeClient(kv: KVNamespace, clientId: string): Promise<Response> {
  await requireClient(kv, clientId);
  await deleteClient(kv, clientId);
  return new Response(null, { status: 204 });
}

/** `POST /admin/clients/ID/secrets`: 201 with a new secret; the older ones keep working. */
export async function addSecret(kv: KVNamespace, clientId: string): Promise<Response> {
  const client = await requireClient(kv, clientId);
  if (!isConfidential(client)) invalidRequest("A public client has no secrets.");
  if (client.secrets.length >= MAX_SECRETS) {
    invalidRequest(`A client may have at most ${MAX_SECRETS} secrets; delete one first.`);
  }
  const added = await generateSecret(Math.floor(Date.now() / 1000));
  await putClient(kv, { ...client, secrets: [...client.secrets, added.stored] });
  return jsonResponse(
    { client_secret_id: added.stored.id, client_secret: added.secret, client_secret_expires_at: 0 },
    201,
  );
}

/** `DELETE /admin/clients/ID/secrets/SECRET_ID`: 204; that secret stops working. */
export async function removeSecret(kv: KVNamespace, clientId: string, secretId: string): Promise<Response> {
  const client = await requireClient(kv, clientId);
  const remaining = client.secrets.filter((secret) => secret.id !== secretId);
  if (remaining.length === client.secrets.length) throw notFound("No such client secret.");
  await putClient(kv, { ...client, secrets: remaining });
  return new Response(null, { status: 204 });
}

async function requireClient(kv: KVNamespace, clientId: string): Promise<ClientRecord> {
  const client = await getClient(kv, clientId);
  if (client === undefined) throw notFound("No such client.");
  return client;
}

function notFound(description: string): OAuthError {
  return new OAuthError("not_found", description, 404);
}

/** The public view of a record: never a secret or its hash. */
function describeClient(record: ClientRecord): Record<string, unknown> {
  const { secrets, ...metadata } = record;
  return {
    ...metadata,
    client_secrets: secrets.map((secret) => ({ client_secret_id: secret.id, created_at: secret.created_at })),
  };
}
