/**
 * Creating a client record: a fresh `client_id`, the first secret for a client that uses one,
 * and the record created by the client's registry object (which mirrors it to KV). Shared by
 * the admin API and dynamic registration.
 *
 * @see RFC 7591 §3.2.1 (client information response)
 */
import { nowSeconds } from "../clock";
import { randomBase64url } from "../encoding/base64url";
import type { Env } from "../env";
import { usesSecret, type ClientKind, type ClientMetadata, type ClientRecord } from "./record";
import { generateSecret, type NewSecret } from "./secrets";

/** A record just created, and its first secret (shown once) when it uses one. */
export interface NewClient {
  record: ClientRecord;
  secret: NewSecret | undefined;
}

/**
 * Creates the record of validated `metadata`. Records of the admin API carry no kind (they are
 * `registered`, as every record made before kinds existed); dynamic ones say so.
 */
export async function registerClientRecord(
  env: Pick<Env, "CLIENT_REGISTRY">,
  metadata: ClientMetadata,
  kind: Exclude<ClientKind, "metadata_document"> = "registered",
): Promise<NewClient> {
  const now = nowSeconds();
  // Never a URL: an `https://` client_id names a metadata document (see clients/resolve.ts).
  const record: ClientRecord = {
    client_id: `client_${randomBase64url(16)}`,
    client_id_issued_at: now,
    ...metadata,
    secrets: [],
    ...(kind !== "registered" && { client_kind: kind }),
  };
  const secret = usesSecret(record) ? await generateSecret(now) : undefined;
  if (secret !== undefined) record.secrets.push(secret.stored);
  const registry = env.CLIENT_REGISTRY.get(env.CLIENT_REGISTRY.idFromName(record.client_id));
  const result = await registry.apply(record.client_id, { kind: "create", record });
  // A fresh random id that already exists means the random source is broken: a bug, not input.
  if (!result.ok) throw new Error("generated client_id already exists");
  return { record, secret };
}
