// What the paths of the MCP SDK check share: the `whoami` tool call that shows whom a token
// speaks for, a fetch that records what the SDK asked of Baton's token endpoint (the SDK keeps
// its refreshes and their refusals to itself), Basic client credentials, and short client ids
// for the printed lines.

/** Calls the MCP server's `whoami` tool; resolves with its `{sub, client_id, scope, aud}`. */
export async function whoami(client) {
  const result = await client.callTool({ name: "whoami" });
  if (result.isError) throw new Error(`whoami failed: ${JSON.stringify(result.content)}`);
  return result.structuredContent;
}

/**
 * fetch, recording in `calls` every request to `issuer`'s token endpoint: grant type, status,
 * and for a refusal its error code and description.
 */
export function recordingFetch(issuer, calls) {
  return async (input, init) => {
    const response = await fetch(input, init);
    const url = new URL(input instanceof Request ? input.url : input);
    if (url.origin === issuer && url.pathname === "/oauth2/token") {
      const grant = new URLSearchParams(String(init?.body ?? "")).get("grant_type");
      const call = { grant_type: grant, status: response.status };
      if (!response.ok) {
        // A clone: the SDK still reads the body itself.
        const body = await response
          .clone()
          .json()
          .catch(() => ({}));
        Object.assign(call, { error: body.error, error_description: body.error_description });
      }
      calls.push(call);
    }
    return response;
  };
}

/** HTTP Basic credentials of a confidential client (RFC 6749 §2.3.1). */
export function basic(client) {
  const pair = `${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`;
  return `Basic ${Buffer.from(pair).toString("base64")}`;
}

/** A client id cut to fit a line: a metadata document's URL can be long. */
export function short(id) {
  return id.length > 60 ? `${id.slice(0, 57)}…` : id;
}
