/**
 * Rules 2 and 4 of the refresh_token grant: the token just retired may come back inside the
 * retry window and gets the first answer again, byte for byte; however many requests carry one
 * token at once, it has exactly one successor.
 */
import { evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { registerClient } from "../support/clients";
import { ageFamily, grantStub, readFamily, startFamily } from "../support/families";
import { refresh } from "../support/token-requests";

const PARALLEL = 50;

describe("refresh_token grant: retry window", () => {
  it("replays the first answer byte for byte when the retired token returns within the retry window", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const first = await refresh(client, family.tokens.refresh_token);
    const firstText = await first.text();

    const retry = await refresh(client, family.tokens.refresh_token);

    expect(retry.status).toBe(200);
    expect(retry.headers.get("Content-Type")).toBe("application/json");
    expect(retry.headers.get("Cache-Control")).toBe("no-store");
    expect(retry.headers.get("Pragma")).toBe("no-cache");
    expect(await retry.text()).toBe(firstText);
    // The replay minted nothing: the family is still one generation on.
    expect((await readFamily(family.sid))!.generation).toBe(1);
  });

  it("replays to the same client however it authenticates", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const firstText = await (await refresh(client, family.tokens.refresh_token, {}, "basic")).text();

    const retry = await refresh(client, family.tokens.refresh_token, {}, "post");

    expect(retry.status).toBe(200);
    expect(await retry.text()).toBe(firstText);
  });

  it("replays on the last second of the window", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const firstText = await (await refresh(client, family.tokens.refresh_token)).text();
    await ageFamily(family.sid, 29);

    const retry = await refresh(client, family.tokens.refresh_token);

    expect(retry.status).toBe(200);
    expect(await retry.text()).toBe(firstText);
  });

  it("leaves the successor from a replayed answer current", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    await refresh(client, family.tokens.refresh_token);
    const replayed = await (await refresh(client, family.tokens.refresh_token)).json<{ refresh_token: string }>();

    const next = await refresh(client, replayed.refresh_token);

    expect(next.status).toBe(200);
    expect((await next.json<{ refresh_token: string }>()).refresh_token).not.toBe(replayed.refresh_token);
    expect((await readFamily(family.sid))!.generation).toBe(2);
  });

  it("replays the answer as many times as the token returns inside the window", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const firstText = await (await refresh(client, family.tokens.refresh_token)).text();

    const retries = [];
    for (let i = 0; i < 3; i++) retries.push(await (await refresh(client, family.tokens.refresh_token)).text());

    expect(retries).toEqual([firstText, firstText, firstText]);
    expect((await readFamily(family.sid))!.generation).toBe(1);
  });

  it("replays the same bytes, and rotates on, after the grant's object was evicted from memory", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const first = await refresh(client, family.tokens.refresh_token);
    const firstText = await first.text();
    await evictDurableObject(grantStub(family.sid));

    const retry = await refresh(client, family.tokens.refresh_token);

    expect(retry.status).toBe(200);
    expect(await retry.text()).toBe(firstText);
    await evictDurableObject(grantStub(family.sid));
    const next = await refresh(client, (JSON.parse(firstText) as { refresh_token: string }).refresh_token);
    expect(next.status).toBe(200);
    expect((await readFamily(family.sid))!.generation).toBe(2);
  });
});

describe("refresh_token grant: exactly one successor", () => {
  it(`answers ${PARALLEL} concurrent presentations of one token with one answer and one successor`, async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);

    const responses = await Promise.all(
      Array.from({ length: PARALLEL }, () => refresh(client, family.tokens.refresh_token)),
    );

    expect(responses.map((response) => response.status)).toEqual(Array(PARALLEL).fill(200));
    const texts = await Promise.all(responses.map((response) => response.text()));
    expect(new Set(texts).size).toBe(1);
    const successors = new Set(texts.map((text) => (JSON.parse(text) as { refresh_token: string }).refresh_token));
    expect(successors.size).toBe(1);
    expect(successors.has(family.tokens.refresh_token)).toBe(false);
    expect((await readFamily(family.sid))!.generation).toBe(1);
  });

  it("gives a mixed crowd of requests for one token (auth styles, narrower scopes) a single successor", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const variants: [Record<string, string>, "basic" | "post"][] = [
      [{}, "basic"],
      [{}, "post"],
      [{ scope: "openid" }, "basic"],
      [{ scope: "email offline_access" }, "post"],
      [{ scope: "openid profile email offline_access" }, "basic"],
    ];

    const responses = await Promise.all(
      Array.from({ length: PARALLEL }, (_, i) => {
        const [extra, style] = variants[i % variants.length]!;
        return refresh(client, family.tokens.refresh_token, extra, style);
      }),
    );

    expect(responses.map((response) => response.status)).toEqual(Array(PARALLEL).fill(200));
    const bodies = await Promise.all(responses.map((response) => response.json<{ refresh_token: string }>()));
    expect(new Set(bodies.map((body) => body.refresh_token)).size).toBe(1);
    expect((await readFamily(family.sid))!.generation).toBe(1);
  });

  it("lets neither a stranger's concurrent requests spend the token nor change the one successor", async () => {
    const owner = await registerClient();
    const stranger = await registerClient();
    const family = await startFamily(owner.client_id);

    const responses = await Promise.all(
      Array.from({ length: PARALLEL }, (_, i) => refresh(i % 2 === 0 ? owner : stranger, family.tokens.refresh_token)),
    );

    const ownerTexts = await Promise.all(responses.filter((_, i) => i % 2 === 0).map((response) => response.text()));
    const strangerResponses = responses.filter((_, i) => i % 2 === 1);
    expect(responses.filter((_, i) => i % 2 === 0).every((response) => response.status === 200)).toBe(true);
    expect(new Set(ownerTexts).size).toBe(1);
    expect(strangerResponses.map((response) => response.status)).toEqual(Array(PARALLEL / 2).fill(400));
    const strangerErrors = await Promise.all(strangerResponses.map((response) => response.json()));
    expect(new Set(strangerErrors.map((error) => JSON.stringify(error)))).toEqual(
      new Set([
        JSON.stringify({
          error: "invalid_grant",
          error_description: "The grant is invalid, expired, revoked, or was issued to another client.",
        }),
      ]),
    );
    expect((await readFamily(family.sid))!.generation).toBe(1);
  });

  it("keeps one successor per generation across rounds of concurrent refreshes", async () => {
    const client = await registerClient();
    const family = await startFamily(client.client_id);
    const chain = [family.tokens.refresh_token];

    for (let round = 0; round < 5; round++) {
      const responses = await Promise.all(Array.from({ length: 10 }, () => refresh(client, chain.at(-1)!)));
      expect(responses.every((response) => response.status === 200)).toBe(true);
      const bodies = await Promise.all(responses.map((response) => response.json<{ refresh_token: string }>()));
      const successors = new Set(bodies.map((body) => body.refresh_token));
      expect(successors.size).toBe(1);
      chain.push([...successors][0]!);
    }

    expect(new Set(chain).size).toBe(6);
    expect((await readFamily(family.sid))!.generation).toBe(5);
  });
});
