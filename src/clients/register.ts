/**
 * Creating a client record: a fresh `client_id`, the first secret for a client that uses one,
 * and the record written where it belongs. Shared by the admin API and dynamic registration.
 *
 * An admin client is created by its registry object, which owns it from then on. A dynamic
 * registration is written straight to KV, to expire by itself unless a login is completed for
 * it first (its registry object adopts it then, see `ClientRegistry.confirm`). Anyone may
 * register, so a registration costs one KV write and no object: what nobody signs in with
 * leaves nothing behind but a KV key that deletes itself.
 *
 * @see RFC 7591 §3.2.1 (client information response), the contract's storage promises
 */
import { nowSeconds } from "../clock";
import { randomBase64url } from "../encoding/base64url";
import type { Env } from "../env";
import { usesSecret, type ClientKind, type ClientMetadata, type ClientRecord } from "./record";
import { generateSecret, type NewSecret } from "./secrets";
import { writeClientRecord } from "./store";

/**
 * Seconds a dynamic registration lives unless a login is completed for it first. Anyone may
 * register, so what nobody then signs in with must not stay for ever (the contract's storage
 * promises); a week lets a person who registered and walked away come back.
 */
export const UNCONFIRMED_REGISTRATION_TTL = 7 * 86_400;

/** A record just created, and its first secret (shown once) when it uses one. */
export interface NewClient {
  record: ClientRecord;
  secret: NewSecret | undefined;
}

/**
 * Creates the record of validated `metadata`. Records of the admin API carry no kind (they are
 * `registered`, as every record made before kinds existed); dynamic ones say so, and when they end.
 */
export async function registerClientRecord(
  env: Pick<Env, "CLIENT_REGISTRY" | "CLIENTS">,
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
    ...(kind === "dynamic" && { client_kind: kind, unconfirmed_until: now + UNCONFIRMED_REGISTRATION_TTL }),
  };
  const secret = usesSecret(record) ? await generateSecret(now) : undefined;
  if (secret !== undefined) record.secrets.push(secret.stored);
  if (kind === "dynamic") {
    // 128 random bits: an id that already exists would mean a broken random source, which the
    // registry's own check below would catch for admin clients but KV cannot (it has no put-if-absent).
    await writeClientRecord(env.CLIENTS, record);
    return { record, secret };
  }
  const registry = env.CLIENT_REGISTRY.get(env.CLIENT_REGISTRY.idFromName(record.client_id));
  const result = await registry.apply(record.client_id, { kind: "create", record });
  // A fresh random id that already exists means the random source is broken: a bug, not input.
  if (!result.ok) throw new Error("generated client_id already exists");
  return { record, secret };
}
