/**
 * The admin client API: register, read, delete clients; add and delete secrets for rotation.
 * A secret is shown once, in the answer that creates it; only its hash is kept. Every change goes
 * through the client's registry object, so concurrent changes never lose one another.
 *
 * @see RFC 7591 §3.2.1 (client information response)
 */
import { validateClientMetadata } from "../clients/metadata";
import { metadataSettings } from "../clients/metadata-settings";
import { isConfidential, usesSecret, type ClientRecord } from "../clients/record";
import { registerClientRecord } from "../clients/register";
import type { ClientChange, ClientChangeResult } from "../clients/changes";
import { generateSecret } from "../clients/secrets";
import { forgetClient } from "../clients/store";
import type { Config } from "../config";
import type { Env } from "../env";
import { OAuthError, invalidRequest } from "../errors";
import { readJsonObject } from "../http/json-body";
import { jsonResponse } from "../http/json-response";
import { nowSeconds } from "../clock";

// Enough for overlapping rotations; a bound keeps a client's record (and each check) small.
const MAX_SECRETS = 5;
const UNPAIRED_SURROGATE = /\p{Cs}/u;

/**
 * `POST /admin/clients`: 201 with the metadata, `client_id` and, once, the first secret (none
 * for a `private_key_jwt` client: it proves itself with its keys).
 */
export async function createClient(request: Request, env: Env, config: Config): Promise<Response> {
  const input = await readJsonObject(request);
  const metadata = validateClientMetadata(input, "admin", await metadataSettings(config, input));
  const { record, secret } = await registerClientRecord(env, metadata);
  // RFC 7591 §3.2.1: 0 means the secret does not expire.
  const shown = secret && {
    client_secret: secret.secret,
    client_secret_id: secret.stored.id,
    client_secret_expires_at: 0,
  };
  return jsonResponse({ ...describeClient(record), ...shown }, 201);
}

/** `GET /admin/clients/ID`: the metadata and the secrets' ids and creation times. */
export async function readClient(env: Env, clientId: string): Promise<Response> {
  const record = isClientId(clientId) ? await registryOf(env, clientId).read(clientId) : undefined;
  if (record === undefined) throw notFound("No such client.");
  return jsonResponse(describeClient(record));
}

/**
 * `PATCH /admin/clients/ID`: 200 with the updated metadata. The members given replace the
 * stored ones (`null` removes an optional one), under the same validation as creation.
 */
export async function updateClient(request: Request, env: Env, config: Config, clientId: string): Promise<Response> {
  const patch = await readJsonObject(request);
  for (const member of ["client_id", "client_id_issued_at", "client_secret", "client_secrets", "client_kind"]) {
    if (Object.hasOwn(patch, member)) invalidRequest("client_id, issue time, kind and secrets cannot be changed here.");
  }
  const record = await change(env, clientId, {
    kind: "update",
    patch,
    settings: await metadataSettings(config, patch),
  });
  return jsonResponse(describeClient(record!));
}

/** `DELETE /admin/clients/ID`: 204; the client's credentials stop working at once. */
export async function removeClient(env: Env, clientId: string): Promise<Response> {
  await change(env, clientId, { kind: "delete" });
  return new Response(null, { status: 204 });
}

/** `POST /admin/clients/ID/secrets`: 201 with a new secret; the older ones keep working. */
export async function addSecret(env: Env, clientId: string): Promise<Response> {
  const record = isClientId(clientId) ? await registryOf(env, clientId).read(clientId) : undefined;
  if (record === undefined) throw notFound("No such client.");
  if (!usesSecret(record)) {
    invalidRequest(
      isConfidential(record)
        ? "This client authenticates with a key, not a secret."
        : "A public client has no secrets.",
    );
  }
  const added = await generateSecret(nowSeconds());
  await change(env, clientId, { kind: "add_secret", secret: added.stored, maxSecrets: MAX_SECRETS });
  return jsonResponse(
    { client_secret_id: added.stored.id, client_secret: added.secret, client_secret_expires_at: 0 },
    201,
  );
}

/**
 * `DELETE /admin/clients/ID/secrets/SECRET_ID`: 204; that secret stops working. A confidential
 * client's last secret is kept: 409 `conflict`, since the client could never authenticate again.
 */
export async function removeSecret(env: Env, clientId: string, secretId: string): Promise<Response> {
  await change(env, clientId, { kind: "remove_secret", secretId });
  return new Response(null, { status: 204 });
}

async function change(env: Env, clientId: string, clientChange: ClientChange): Promise<ClientRecord | undefined> {
  if (!isClientId(clientId)) throw notFound("No such client.");
  // RPC wraps the result's type; the plain union is what crosses the wire.
  const result = (await registryOf(env, clientId).apply(clientId, clientChange)) as ClientChangeResult;
  forgetClient(clientId);
  if (result.ok) return result.record;
  switch (result.reason) {
    case "invalid":
      throw new OAuthError(result.error, result.description);
    case "not_found":
      throw notFound("No such client.");
    case "no_such_secret":
      throw notFound("No such client secret.");
    case "too_many_secrets":
      invalidRequest(`A client may have at most ${MAX_SECRETS} secrets; delete one first.`);
    case "last_secret":
      throw new OAuthError(
        "conflict",
        "A confidential client must keep at least one secret; add a new one before deleting this one.",
        409,
      );
    // A fresh random id that already exists means the random source is broken: a bug, not input.
    case "exists":
      throw new Error("generated client_id already exists");
  }
}

function registryOf(env: Env, clientId: string) {
  return env.CLIENT_REGISTRY.get(env.CLIENT_REGISTRY.idFromName(clientId));
}

/** Whether `clientId` could name a client at all (KV keys are UTF-8 and short). */
function isClientId(clientId: string): boolean {
  return clientId.length > 0 && clientId.length <= 128 && !UNPAIRED_SURROGATE.test(clientId);
}

function notFound(description: string): OAuthError {
  return new OAuthError("not_found", description, 404);
}

/** The public view of a record: never a secret or its hash, nor Baton's bookkeeping of its end. */
export function describeClient(record: ClientRecord): Record<string, unknown> {
  const { secrets, unconfirmed_until: _until, ...metadata } = record;
  return {
    ...metadata,
    client_secrets: secrets.map((secret) => ({ client_secret_id: secret.id, created_at: secret.created_at })),
  };
}
