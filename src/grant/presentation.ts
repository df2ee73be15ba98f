/**
 * What a refresh token with a valid MAC means for its family: the rules of the refresh_token
 * grant as one pure decision, so that the object applies it with no `await` between reading the
 * state and writing the outcome.
 *
 * @see RFC 6749 §6, RFC 9700 §4.14.2
 */
import { familyEndsAt, type FamilyLifetimes, type FamilyState } from "./state";

/** The verdict on one presentation. */
export type Presentation =
  /** Another client's token: refused, and the family is left exactly as it was. */
  | { kind: "wrong_client" }
  /** Past its idle or absolute lifetime. */
  | { kind: "expired" }
  /** The current token: rotate. */
  | { kind: "current" }
  /** The token just retired, back inside the retry window before its successor was used. */
  | { kind: "retry" }
  /** Any other retired token: proof of reuse, so the family is revoked. */
  | { kind: "reused" };

/** Classifies the presentation of generation `generation` by `clientId` at `now`. */
export function classifyPresentation(
  state: FamilyState,
  generation: number,
  clientId: string,
  now: number,
  lifetimes: FamilyLifetimes,
): Presentation {
  if (clientId !== state.clientId) return { kind: "wrong_client" };
  if (now >= familyEndsAt(state, lifetimes)) return { kind: "expired" };
  if (generation === state.generation) return { kind: "current" };
  const retained = state.retained;
  if (
    retained !== undefined &&
    retained.generation === generation &&
    lifetimes.retryWindow > 0 &&
    now - retained.rotatedAt <= lifetimes.retryWindow
  ) {
    return { kind: "retry" };
  }
  return { kind: "reused" };
}
