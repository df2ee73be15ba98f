/**
 * Keeping a dynamic registration once a person has signed in with it. Open registration lets
 * anyone create a client, so one that no login ever completes for ends after a week
 * (`ClientRegistry`'s alarm); the first completed login tells the client's registry object to
 * keep it.
 *
 * @see RFC 7591 §3 (open registration), the contract's storage promises
 */
import type { Env } from "../env";
import { kindOf, type ClientKind } from "../clients/record";
import { getClient } from "../clients/store";

// Dynamic clients this isolate has already confirmed, so a busy client costs its registry one
// call per isolate, not one per login. Bounded: when full it starts over, which costs only calls.
const confirmed = new Set<string>();
const CONFIRMED_MAX = 1024;

/**
 * Confirms `clientId` if it is a dynamic registration not yet confirmed here (`kind`: what the
 * pending request says of it, if anything); anything else (an operator's client, a metadata
 * document, an unknown id) needs nothing.
 */
export async function confirmRegistration(env: Env, clientId: string, kind?: ClientKind): Promise<void> {
  if (confirmed.has(clientId)) return;
  // The kind the authorization request was made with, when it says; otherwise the record, from
  // the isolate's cache as a rule (never a metadata document's fetch). Trusting a `dynamic`
  // there spares a KV read that, this soon after registering, could still miss at this location.
  if (kind !== "dynamic") {
    const client = await getClient(env.CLIENTS, clientId);
    if (client === undefined || kindOf(client) !== "dynamic") return;
  }
  await env.CLIENT_REGISTRY.get(env.CLIENT_REGISTRY.idFromName(clientId)).confirm();
  if (confirmed.size >= CONFIRMED_MAX) confirmed.clear();
  confirmed.add(clientId);
}
