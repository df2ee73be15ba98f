/** Registering clients through the admin API, as an operator would. */
import { expect } from "vitest";
import { admin } from "./worker";

/** A registered client and, for confidential ones, its secret. */
export interface TestClient {
  client_id: string;
  client_secret?: string;
  client_secret_id?: string;
}

/** Registers a confidential web client allowed the code and refresh grants by default. */
export async function registerClient(metadata: Record<string, unknown> = {}): Promise<TestClient> {
  const response = await admin("POST", "/admin/clients", {
    client_name: "Test app",
    redirect_uris: ["https://app.example/callback"],
    grant_types: ["authorization_code", "refresh_token"],
    token_endpoint_auth_method: "client_secret_basic",
    scope: "openid profile email offline_access",
    ...metadata,
  });
  expect(response.status).toBe(201);
  return response.json();
}
