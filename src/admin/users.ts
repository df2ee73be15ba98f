/**
 * A user's sessions: `GET /admin/users/SUBJECT/grants` lists the live ones, and
 * `POST /admin/users/SUBJECT/revoke` ends every one at once ("sign out everywhere": after an
 * account is deleted or a password changed). The user's sessions object is the index; each grant
 * is asked whether it is still live.
 */
import { getClient } from "../clients/store";
import { isMetadataDocumentUrl } from "../metadata-documents/document-url";
import type { Config } from "../config";
import type { Env } from "../env";
import { invalidRequest } from "../errors";
import { grantFor } from "../grant/locate";
import { formatScope } from "../scope";
import { jsonResponse } from "../http/json-response";
import { revocationUnavailable } from "../revocation/revoke-endpoint";
import { userSessionsFor } from "../sessions/locate";
import { isAddressableSubject } from "../sessions/subject";

/** 200 `{"grants": [...]}`: the user's live sessions, an empty list for an unknown subject. */
export async function listUserGrants(env: Env, config: Config, subject: string): Promise<Response> {
  const sessions = userSessionsFor(env, config, checkSubject(subject));
  const indexed = await sessions.list();
  const views = await Promise.all(indexed.map((grant) => grantFor(env, config, grant.sid).session()));
  // A deleted client's sessions are not live: its tokens stop working at once. Each client is
  // looked up once, however many of the user's sessions it has.
  const clientIds = [...new Set(indexed.map((grant) => grant.clientId))];
  const present = await Promise.all(clientIds.map((clientId) => stillRegistered(env, config, clientId)));
  const gone = new Set(clientIds.filter((_clientId, index) => !present[index]));
  const grants = [];
  for (const [index, view] of views.entries()) {
    const { sid } = indexed[index]!;
    // A grant that lapsed without telling the index: forget it now.
    if (view === undefined || view.subject !== subject) {
      await sessions.remove(sid);
      continue;
    }
    // Kept in the index: "sign out everywhere" still ends it.
    if (gone.has(view.clientId)) continue;
    grants.push({
      sid,
      client_id: view.clientId,
      scope: formatScope(view.scope),
      created_at: view.createdAt,
      last_used_at: view.lastUsedAt,
      expires_at: view.endsAt,
    });
  }
  return jsonResponse({ grants });
}

/**
 * Whether a session's client was not deleted. A metadata document's client cannot be (its
 * document is not fetched for a list); a record that cannot be read now shows its sessions, since
 * they may well be live.
 */
async function stillRegistered(env: Env, config: Config, clientId: string): Promise<boolean> {
  if (config.clientMetadataDocuments && isMetadataDocumentUrl(clientId, config.clientMetadataAllowLoopback)) {
    return true;
  }
  try {
    return (await getClient(env.CLIENTS, clientId)) !== undefined;
  } catch {
    return true;
  }
}

/** 204 once every grant of the user has ended; 503 (retry) when one could not be stored. */
export async function revokeUserGrants(env: Env, config: Config, subject: string): Promise<Response> {
  const grants = await userSessionsFor(env, config, checkSubject(subject)).signOutEverywhere();
  const ended = await Promise.all(grants.map((grant) => grantFor(env, config, grant.sid).revoke()));
  if (ended.includes(false)) throw revocationUnavailable();
  return new Response(null, { status: 204 });
}

/** A subject as the login hand-off accepts it. */
function checkSubject(subject: string): string {
  if (subject.length === 0 || subject.length > 255) invalidRequest("The subject must be 1 to 255 characters.");
  if (!isAddressableSubject(subject)) invalidRequest("The subject must not hold an unpaired surrogate.");
  return subject;
}
