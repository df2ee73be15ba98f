/**
 * Near-valid tokens (real refresh tokens, codes, access and ID tokens with one thing wrong) are
 * refused everywhere, and presenting one changes nothing: no rotation, no revocation, no spent
 * code. Each batch ends by showing that the real tokens still work.
 */
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  INACTIVE,
  expectInvalidGrant,
  expectRevocationAnswer,
  introspect,
  introspectionBody,
  revoke,
} from "../revocation/endpoint-requests";
import { redeem } from "../support/code-flow";
import { refresh } from "../support/token-requests";
import { DESCRIPTION, expectInvalidRequest } from "../http/support-token-endpoint";
import { prepareFixtures, realTokens, type FuzzFixtures } from "./fixtures";
import { checkParameters, fuzzRuns, inBatches, isLongRun, timeoutFor } from "./fuzz-settings";
import { mutate, mutationArbitrary, sameJws, type Mutation } from "./token-mutations";
import { captureLogs } from "./worker-logs";

const RUNS = fuzzRuns();
const TOKEN_REQUIRED = "The token parameter is required.";
const CODE_REQUIRED = "The code parameter is required.";

let logs: ReturnType<typeof captureLogs>;
beforeEach(() => {
  logs = captureLogs();
});
afterEach(() => logs.release());

/**
 * The mutated token, or a skipped run when the mutation gave back a real token (the original,
 * or another one when a splice kept a common prefix).
 */
function nearValid(original: string, mutation: Mutation, fixtures: FuzzFixtures): string {
  const real = realTokens(fixtures);
  const token = mutate(original, mutation, real);
  fc.pre(!real.includes(token));
  return token;
}

/** A parameter left empty is absent (RFC 6749 §3.1): the answer names the missing parameter. */
async function expectMissing(response: Response, description: string): Promise<void> {
  await expectInvalidRequest(response, description);
}

describe("near-valid tokens", () => {
  it(
    "are refused as refresh tokens, and presenting one neither rotates nor revokes the family",
    async () => {
      await inBatches(RUNS, async (runs) => {
        const fixtures = await prepareFixtures();
        await fc.assert(
          fc.asyncProperty(
            fc.nat(),
            mutationArbitrary,
            fc.constantFrom("token", "introspection", "revoke"),
            async (which, mutation, endpoint) => {
              const family = fixtures.families[which % fixtures.families.length]!;
              const token = nearValid(family.refreshToken, mutation, fixtures);
              if (endpoint === "token") {
                const response = await refresh(
                  family.client,
                  token,
                  {},
                  family.client.client_secret ? "basic" : "none",
                );
                if (token === "") await expectMissing(response, DESCRIPTION.refreshTokenRequired);
                else await expectInvalidGrant(response);
              } else if (endpoint === "introspection") {
                const response = await introspect(family.client, token);
                if (token === "") await expectMissing(response, TOKEN_REQUIRED);
                else expect(await introspectionBody(response)).toEqual(INACTIVE);
              } else {
                const response = await revoke(family.client, token);
                if (token === "") await expectMissing(response, TOKEN_REQUIRED);
                else await expectRevocationAnswer(response);
              }
              expect(logs.errors).toEqual([]);
            },
          ),
          checkParameters(runs),
        );
        for (const family of fixtures.families) {
          // Only the current refresh token of a live family introspects active.
          expect(await introspectionBody(await introspect(family.client, family.refreshToken))).toMatchObject({
            active: true,
            token_type: "refresh_token",
            sid: family.sid,
          });
        }
      });
    },
    timeoutFor(RUNS),
  );

  it(
    "are refused as authorization codes, and the real code still redeems once",
    async () => {
      await inBatches(RUNS, async (runs) => {
        const fixtures = await prepareFixtures();
        await fc.assert(
          fc.asyncProperty(fc.nat(), mutationArbitrary, async (which, mutation) => {
            const issued = fixtures.codes[which % fixtures.codes.length]!;
            const code = nearValid(issued.code, mutation, fixtures);
            const response = await redeem(issued.client, { ...issued, code });
            if (code === "") await expectMissing(response, CODE_REQUIRED);
            else await expectInvalidGrant(response);
            expect(logs.errors).toEqual([]);
          }),
          checkParameters(runs),
        );
        for (const issued of fixtures.codes) {
          const response = await redeem(issued.client, issued);
          expect(response.status, await response.clone().text()).toBe(200);
        }
      });
    },
    timeoutFor(RUNS),
  );

  it(
    "introspect inactive as access or ID tokens, and revoking with one ends no family",
    async () => {
      let equivalent = 0;
      let equivalentActive = 0;
      await inBatches(RUNS, async (runs) => {
        const fixtures = await prepareFixtures();
        const jwts = [
          ...fixtures.families.flatMap((f) => [
            { token: f.accessToken, owner: f.client },
            { token: f.idToken, owner: f.client },
          ]),
          { token: fixtures.machineToken, owner: fixtures.machine },
        ];
        const askers = [fixtures.web, fixtures.spa, fixtures.machine];
        await fc.assert(
          fc.asyncProperty(
            fc.nat(),
            mutationArbitrary,
            fc.boolean(),
            fc.nat(),
            async (which, mutation, introspecting, asker) => {
              const { token: original, owner } = jwts[which % jwts.length]!;
              const token = nearValid(original, mutation, fixtures);
              // Another spelling of the same signature is the same token, not a forgery.
              const same = sameJws(original, token);
              if (introspecting) {
                const response = await introspect(askers[asker % askers.length]!, token);
                if (token === "") await expectMissing(response, TOKEN_REQUIRED);
                else if (!same) expect(await introspectionBody(response)).toEqual(INACTIVE);
                else {
                  equivalent++;
                  if ((await introspectionBody(response)).active === true) equivalentActive++;
                }
              } else {
                fc.pre(!same);
                const response = await revoke(owner, token);
                if (token === "") await expectMissing(response, TOKEN_REQUIRED);
                else await expectRevocationAnswer(response);
              }
              expect(logs.errors).toEqual([]);
            },
          ),
          checkParameters(runs),
        );
        for (const { token, owner } of jwts.filter((_, i) => i % 2 === 0)) {
          expect(await introspectionBody(await introspect(owner, token))).toMatchObject({
            active: true,
            token_type: "access_token",
          });
        }
      });
      logs.release();
      if (isLongRun())
        console.log(
          `JWT spellings that decode to the original signature: ${equivalent}, introspected active: ${equivalentActive}`,
        );
    },
    timeoutFor(RUNS),
  );
});
