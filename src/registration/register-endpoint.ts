/**
 * `POST /oauth2/register`: open dynamic client registration, for clients nobody registered
 * beforehand (MCP clients register themselves this way). No authentication; the metadata is
 * checked under the `dynamic` profile, the source's registrations are counted, and only then is
 * the record created, as `client_kind: "dynamic"`, so that a consent screen can tell.
 *
 * @see RFC 7591 §3.1 (request), §3.2.1 (response), §3.2.2 (errors)
 */
import { validateClientMetadata } from "../clients/metadata";
import { metadataSettings } from "../clients/metadata-settings";
import type { ClientRecord } from "../clients/record";
import { registerClientRecord } from "../clients/register";
import type { NewSecret } from "../clients/secrets";
import { NO_STORE_HEADERS } from "../errors";
import type { Endpoint } from "../http/endpoint";
import { readJsonObject } from "../http/json-body";
import { sourceAddress } from "../http/source-address";
import { admitRegistration } from "./registration-limit";

/** Registers a client; throws OAuthError for every refusal. */
export async function handleRegistration({ request, env, config, trace }: Endpoint): Promise<Response> {
  const input = await readJsonObject(request);
  const metadata = validateClientMetadata(input, "dynamic", await metadataSettings(config, input));
  await admitRegistration(env.REGISTRATION_LIMITER, sourceAddress(request));
  const { record, secret } = await registerClientRecord(env, metadata, "dynamic");
  trace.clientId = record.client_id;
  // RFC 7591 §3.2.1: like a token response, never cached (it may hold a secret).
  return new Response(JSON.stringify(clientInformation(record, secret)), { status: 201, headers: NO_STORE_HEADERS });
}

/**
 * The client information response: every registered member, including those Baton filled in.
 * Neither the kind, the registration's end nor the secret's hash is client metadata.
 */
function clientInformation(record: ClientRecord, secret: NewSecret | undefined): Record<string, unknown> {
  const {
    client_id,
    client_id_issued_at,
    secrets: _secrets,
    client_kind: _kind,
    unconfirmed_until: _until,
    ...metadata
  } = record;
  return {
    client_id,
    ...(secret !== undefined && { client_secret: secret.secret, client_secret_expires_at: 0 }),
    client_id_issued_at,
    ...metadata,
    // The only response type there is (RFC 7591 §2 defaults to it too), and the one the contract
    // lists, device-only clients included.
    response_types: ["code"],
  };
}
