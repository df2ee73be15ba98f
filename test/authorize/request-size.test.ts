/**
 * An authorization request is sealed into the id the login page receives, and an id too long to
 * open again would leave a login nobody can answer: so a request whose parts, each within its
 * own bound, add up to more is refused at once, with an error redirect to the client, or at
 * /device with a page that says so.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { registerClient, type TestClient } from "../support/clients";
import { authorizationQuery, authorize, expectErrorRedirect, expectLoginHandOff } from "../support/code-flow";
import { admin } from "../support/worker";
import { LOGIN_URL, callWith } from "../support/code-flow";
import { askDevice, registerDeviceClient } from "../device/device-requests";

let client: TestClient;

beforeAll(async () => {
  client = await registerClient({ token_endpoint_auth_method: "none" });
});

/** `count` resource indicators of nearly 2,000 characters each, the longest one may be. */
function longResources(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `https://r${i}.example.com/${"p".repeat(1970)}`);
}

async function ask(resources: string[]): Promise<Response> {
  const { query } = await authorizationQuery(client, { state: "s-size" });
  const params = new URLSearchParams(query);
  for (const resource of resources) params.append("resource", resource);
  return authorize(params);
}

describe("the size of an authorization request", () => {
  it("hands a large request that still fits to the login, and its id opens", async () => {
    const id = expectLoginHandOff(await ask(longResources(5)));

    expect((await admin("GET", `/admin/authorizations/${id}`)).status).toBe(200);
  });

  it("refuses one whose id would be too long to open, with invalid_request at the client", async () => {
    expectErrorRedirect(await ask(longResources(6)), {
      error: "invalid_request",
      description: "The authorization request is too large.",
      state: "s-size",
    });
  });

  it("shows the person at /device a page saying so for a device that asked for as much", async () => {
    const tv = await registerDeviceClient();
    const fits = await askDevice(tv, {}, longResources(5));
    const tooLarge = await askDevice(tv, {}, longResources(6));

    const handedOff = await callWith({ LOGIN_URL }, `/device?user_code=${fits.user_code}`);
    const refused = await callWith({ LOGIN_URL }, `/device?user_code=${tooLarge.user_code}`);

    expect(handedOff.status).toBe(302);
    expect(refused.status).toBe(400);
    expect(refused.headers.get("Location")).toBeNull();
    expect(await refused.text()).toContain("This request is too large");
  });
});
