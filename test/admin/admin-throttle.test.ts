/**
 * Failed admin authentications are counted per source address (ADMIN_AUTH_LIMITER, 10 per 60 s):
 * past the limit that source's further failures answer 429, while the right token is always let
 * in, from that source too, so nobody's failures can lock the host application out.
 *
 * The local binding counts in windows aligned to the wall clock; a run that straddles a window's
 * end proves nothing and is repeated from a fresh source.
 */
import { describe, expect, it } from "vitest";
import { DESCRIPTION, expectError } from "../http/support-token-endpoint";
import { ADMIN_TOKEN, call } from "../support/worker";

const LIMIT = 10;
const CHALLENGE = 'Bearer realm="Baton admin"';

function adminCall(token: string, source: string): Promise<Response> {
  return call("/admin/clients/client_x", {
    headers: { Authorization: `Bearer ${token}`, "CF-Connecting-IP": source },
  });
}

/** Fails LIMIT + 1 times from one fresh source inside one limiter window; returns the source and answers. */
async function failPastTheLimit(): Promise<{ source: string; answers: Response[] }> {
  for (let run = 0; run < 3; run++) {
    const source = `203.0.113.${run + 10 * Math.floor(Math.random() * 20)}`;
    const window = Math.floor(Date.now() / 60_000);
    const answers: Response[] = [];
    for (let attempt = 0; attempt <= LIMIT; attempt++) answers.push(await adminCall("wrong-admin-token", source));
    if (Math.floor(Date.now() / 60_000) === window) return { source, answers };
  }
  throw new Error("three runs in a row straddled a rate-limit window");
}

describe("admin authentication: failures past the limit", () => {
  it("answers 401 to ten wrong tokens from one source, then 429 with Retry-After", async () => {
    const { answers } = await failPastTheLimit();

    for (const answer of answers.slice(0, LIMIT)) {
      await expectError(answer, {
        status: 401,
        error: "invalid_token",
        description: DESCRIPTION.adminToken,
        challenge: CHALLENGE,
      });
    }
    const blocked = answers[LIMIT]!;
    expect(blocked.headers.get("Retry-After")).toBe("60");
    await expectError(blocked, {
      status: 429,
      error: "invalid_token",
      description: "Too many failed admin authentications from here; retry later.",
      challenge: CHALLENGE,
    });
  });

  it("lets the right token in from the throttled source, and other sources are not throttled", async () => {
    const { source } = await failPastTheLimit();

    expect((await adminCall(ADMIN_TOKEN, source)).status).toBe(404);
    expect((await adminCall("wrong-admin-token", source)).status).toBe(429);
    expect((await adminCall("wrong-admin-token", "198.51.100.200")).status).toBe(401);
  });
});
