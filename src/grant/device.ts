/**
 * The device authorization grant inside the grant's object: the request waits for a person to
 * type its user code and log in elsewhere; the device polls, and the first poll after the
 * approval starts an ordinary family (rotation, retry window, reuse detection, revocation and a
 * user's sessions all apply). Polls write nothing: their clock lives in the object's memory,
 * where losing it costs at most one early poll's `slow_down`.
 *
 * @see RFC 8628 §3.4 and §3.5, RFC 8707 §2.2
 */
import type { ClientKind } from "../clients/record";
import type { Config } from "../config";
import { narrowResources } from "../resources/resource-uri";
import { isSubsetOf } from "../scope";
import type { SigningAlgorithm } from "../tokens/keys";
import { loginMoment, type LoginOutcome } from "./authorization-state";
import { openFamily } from "./family";
import type { SealedAnswer } from "./replay";
import type { DpopProofRef, TokenResult } from "./rpc";
import type { GrantStore } from "./store";

/** How long a device authorization lives (seconds). @see RFC 8628 §3.2 `expires_in` */
export const DEVICE_TTL = 600;
/** The polling interval it starts with (seconds). */
export const DEVICE_INTERVAL = 5;
/**
 * How long an expired device authorization is kept (seconds), so that a poll after `expires_in`
 * learns `expired_token` (RFC 8628 §3.5) rather than `invalid_grant`, and its device knows to
 * start again instead of reporting a fault. As long again as the authorization lived: a device
 * whose interval grew with `slow_down`, or that slept or lost its network near the end, still
 * hears it, while an abandoned request holds its one small record for ten more minutes only.
 * Nothing treats the record as usable meanwhile: every reader checks `expiresAt` first.
 */
export const DEVICE_EXPIRED_GRACE = 600;

/** A device authorization, from the request to its answer. */
export interface DeviceAuthorization {
  sid: string;
  clientId: string;
  clientName?: string;
  clientOrganizationId?: string;
  /** Where the client's record came from, for the consent screen; absent in one stored before it was kept. */
  clientKind?: ClientKind;
  /** When the client's registration ends unless a login keeps it (seconds); absent for none. */
  clientEnds?: number;
  scope: string[];
  resources?: string[];
  /** base64url SHA-256 of the device code. */
  deviceCodeHash: string;
  userCode: string;
  createdAt: number;
  expiresAt: number;
  refreshAllowed: boolean;
  idTokenAlg?: SigningAlgorithm;
  status: "pending" | "approved" | "denied";
  /** The login's answer, once approved (its auth time resolved). */
  outcome?: LoginOutcome & { authTime: number; loggedInAt?: number };
  /**
   * The approval's redirect, sealed for a repeat of the very same approval (a double-click on
   * the development login's Approve), as an issued code keeps its own.
   */
  sealedRedirect?: SealedAnswer;
}

/** What a poll brings. */
export interface DevicePoll {
  deviceCodeHash: string;
  clientId: string;
  issuer: string;
  publicClient: boolean;
  /** The resources asked for (already checked to be valid indicators); none means all. */
  resources?: string[];
  dpop?: DpopProofRef;
  /** The scope the client may have now: an approval given before it was narrowed starts nothing. */
  allowedScope: string[];
}

/** The answer to one poll. */
export type DevicePollResult = TokenResult;

const NOT_GRANTED: DevicePollResult = { ok: false, error: "invalid_target", reason: "resource_not_granted" };
const PENDING: DevicePollResult = { ok: false, error: "authorization_pending", reason: "device" };

/** The poll clock of one object: when it was last polled, and the interval asked for now. */
export interface PollClock {
  last: number;
  interval: number;
}

/** When the grant's object may forget `device`: {@link DEVICE_EXPIRED_GRACE} after its expiry. */
export function deviceLapsesAt(device: DeviceAuthorization): number {
  return device.expiresAt + DEVICE_EXPIRED_GRACE;
}

/** Records the answer the person gave at the login (approved with `outcome`, or denied). */
export function answerDevice(
  store: GrantStore,
  outcome: LoginOutcome | undefined,
  now: number,
  sealedRedirect?: SealedAnswer,
): "answered" | "not_found" | "completed" | "invalid_scope" {
  const device = store.device();
  if (device === undefined || now >= device.expiresAt) return "not_found";
  if (device.status !== "pending") return "completed";
  if (outcome === undefined) {
    store.putDevice({ ...device, status: "denied" });
    return "answered";
  }
  const scope = outcome.scope ?? device.scope;
  if (!isSubsetOf(scope, device.scope)) return "invalid_scope";
  store.putDevice({
    ...device,
    status: "approved",
    outcome: {
      ...outcome,
      scope,
      authTime: outcome.authTime ?? now,
      loggedInAt: loginMoment(outcome.authTime),
    },
    ...(sealedRedirect !== undefined && { sealedRedirect }),
  });
  return "answered";
}

/**
 * One poll: the first after the approval starts the family and gets its tokens, exactly once
 * (the object runs one operation at a time); everything else is a refusal of RFC 8628 §3.5, or
 * `invalid_target` for a resource that is not the device's (RFC 8707 §2.2), which spends nothing.
 */
export async function pollDevice(
  store: GrantStore,
  config: Config,
  clock: PollClock | undefined,
  poll: DevicePoll,
  now: number,
): Promise<{ result: DevicePollResult; clock: PollClock | undefined }> {
  const device = store.device();
  if (device === undefined || device.deviceCodeHash !== poll.deviceCodeHash || device.clientId !== poll.clientId) {
    return { result: { ok: false, error: "invalid_grant", reason: "unknown" }, clock };
  }
  if (now >= device.expiresAt) return { result: { ok: false, error: "expired_token", reason: "device" }, clock };
  if (device.status === "denied") return { result: { ok: false, error: "access_denied", reason: "device" }, clock };
  // RFC 8707 §2.2: the token may be for some of the device's resources, never for another. They
  // were fixed by the device authorization request (an approval grants scope, not resources), so
  // a poll that names another is refused even before the approval: it could never succeed, and
  // its device learns that now, not after a person has logged in for nothing.
  const audience = narrowResources(device.resources ?? [], poll.resources ?? []);
  if (device.status === "pending") {
    const last = clock?.last ?? device.createdAt;
    const interval = clock?.interval ?? DEVICE_INTERVAL;
    // RFC 8628 §3.5: too early is slow_down, and the interval grows by 5 s from then on. It comes
    // first, so that the interval holds for every poll before the approval, a refused one too.
    if (now - last < interval) {
      return {
        result: { ok: false, error: "slow_down", reason: "device" },
        clock: { last: now, interval: interval + 5 },
      };
    }
    const result = audience === undefined ? NOT_GRANTED : PENDING;
    return { result, clock: { last: now, interval } };
  }
  // Refused before the family opens: the approval stays, for a poll with a resource that fits.
  if (audience === undefined) return { result: NOT_GRANTED, clock };
  const outcome = device.outcome!;
  // The registration may have been narrowed while the device waited, as for a code.
  if (!isSubsetOf(outcome.scope!, poll.allowedScope)) {
    return { result: { ok: false, error: "invalid_grant", reason: "mismatch" }, clock };
  }
  const organizationId = outcome.organizationId ?? device.clientOrganizationId;
  const result = await openFamily(
    store,
    config,
    {
      sid: device.sid,
      clientId: device.clientId,
      subject: outcome.subject,
      scope: outcome.scope!,
      claims: outcome.claims,
      ...(outcome.accessTokenClaims !== undefined && { accessTokenClaims: outcome.accessTokenClaims }),
      ...(organizationId !== undefined && { organizationId }),
      authTime: outcome.authTime,
      ...(outcome.loggedInAt !== undefined && { loggedInAt: outcome.loggedInAt }),
      issuer: poll.issuer,
      // The family keeps every resource of the device, for its refresh tokens.
      ...(device.resources !== undefined && { resources: device.resources, audience }),
      refreshAllowed: device.refreshAllowed,
      ...(device.idTokenAlg !== undefined && { idTokenAlg: device.idTokenAlg }),
      ...(poll.dpop !== undefined && { dpop: poll.dpop, bindRefreshToKey: poll.publicClient }),
    },
    now,
  );
  return { result, clock };
}
