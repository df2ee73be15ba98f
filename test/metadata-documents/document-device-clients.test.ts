/**
 * A device (RFC 8628) whose client is a Client ID Metadata Document: the login hand-off names it
 * `metadata_document`, so the consent screen can show the document's host instead of trusting its
 * name, even for a device authorization stored before authorizations kept the client's kind,
 * with no new fetch of the document.
 */
import { describe, expect, it } from "vitest";
import { LOGIN_URL, callWith } from "../support/code-flow";
import { documentUrl, goodDocument, requestsFor, serveDocument, withDocuments } from "../support/metadata-documents";
import { storeWithoutClientKind } from "../support/device-records";
import { admin } from "../support/worker";

const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

/** A device client's document at a fresh URL, and a device authorization for it. */
async function askAsDocumentDevice(): Promise<{ clientId: string; userCode: string; deviceCode: string }> {
  const clientId = documentUrl("custom");
  await serveDocument(clientId, {
    ...goodDocument(clientId),
    client_name: "Kitchen display",
    grant_types: [DEVICE_GRANT],
  });
  const asked = await withDocuments("/oauth2/device_authorization", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_id: clientId, scope: "openid" }),
  });
  const text = await asked.text();
  expect(asked.status, text).toBe(200);
  const { user_code: userCode, device_code: deviceCode } = JSON.parse(text) as Record<string, string>;
  return { clientId, userCode: userCode!, deviceCode: deviceCode! };
}

/** Types the code at /device; the login hand-off's view of the request. */
async function handOff(userCode: string): Promise<unknown> {
  const page = await withDocuments(`/device?user_code=${userCode}`);
  expect(page.status).toBe(302);
  const id = new URL(page.headers.get("Location")!).searchParams.get("authorization_request")!;
  return (await admin("GET", `/admin/authorizations/${id}`)).json();
}

describe("a device whose client is a metadata document", () => {
  it("is metadata_document in the login hand-off", async () => {
    const { clientId, userCode } = await askAsDocumentDevice();
    expect(await handOff(userCode)).toMatchObject({ client_id: clientId, client_kind: "metadata_document" });
  });

  it("is metadata_document too when its authorization was stored without the kind, with no fetch", async () => {
    const { clientId, userCode, deviceCode } = await askAsDocumentDevice();
    await storeWithoutClientKind(deviceCode);
    // With documents no longer fetched here, the document's record cannot be had: the kind must
    // come from the client id alone (a fetch could as well fail, or be made to fail).
    const fetchesBefore = await requestsFor(clientId);
    const page = await callWith({ LOGIN_URL, CLIENT_METADATA_ALLOW_LOOPBACK: "true" }, `/device?user_code=${userCode}`);
    expect(page.status).toBe(302);
    const id = new URL(page.headers.get("Location")!).searchParams.get("authorization_request")!;
    const view = await admin("GET", `/admin/authorizations/${id}`);
    expect(await view.json()).toMatchObject({ client_id: clientId, client_kind: "metadata_document" });
    expect(await requestsFor(clientId)).toBe(fetchesBefore);
  });

  it("is an unknown client when its document names only the device grant but has no redirect_uris", async () => {
    const clientId = documentUrl("custom");
    const { redirect_uris: _, ...document } = goodDocument(clientId);
    await serveDocument(clientId, { ...document, grant_types: [DEVICE_GRANT] });
    const asked = await withDocuments("/oauth2/device_authorization", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ client_id: clientId, scope: "openid" }),
    });
    expect(asked.status).toBe(401);
    expect(await asked.json()).toMatchObject({ error: "invalid_client" });
    expect(await requestsFor(clientId)).toBe(1);
  });
});
