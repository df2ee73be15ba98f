/**
 * Remembering the proofs of token requests that have no grant object to keep them in
 * (client_credentials, token exchange): in the client's registry object, beside its assertion
 * ids, until each proof lapses. One more round trip for those grants; a refresh never pays it.
 *
 * @see RFC 9449 §4.3 (point 12, jti), §11.1
 */
import type { ClientRecord } from "../clients/record";
import type { Env } from "../env";
import type { DpopProofRef } from "../grant/rpc";
import { replayedProof, tooManyProofs } from "./request-proof";

/** Records `proof` for `client`. @throws OAuthError `invalid_dpop_proof` for a replay. */
export async function rememberClientProof(env: Env, client: ClientRecord, proof: DpopProofRef): Promise<void> {
  const registry = env.CLIENT_REGISTRY.get(env.CLIENT_REGISTRY.idFromName(client.client_id));
  // A namespace of its own: a proof's jti can never be taken for an assertion's.
  const result = await registry.useAssertionId(`dpop:${proof.jtiHash}`, proof.expiresAt);
  if (result.ok) return;
  throw result.reason === "replayed" ? replayedProof() : tooManyProofs(result.retryAfter);
}
