/**
 * The operation meter's counts of what leaves no trace in storage: `fetch()` subrequests, from the
 * Worker or an object; log lines and their bytes, which a measurement swallows so that it prints
 * nothing; and calls on any rate limiting binding. Each is counted where every caller meets it:
 * the global `fetch`, the `console` methods, and the `limit` that every limiter binding shares
 * through its prototype (found on the client authentication limiter).
 */
import { env } from "cloudflare:workers";
import type { Usage } from "./usage";

export type Method = (this: unknown, ...args: unknown[]) => unknown;

/** Replaces `owner[name]` with what `make` builds from it, until the meter is uninstalled. */
export type Wrap = (owner: Record<string, unknown>, name: string, make: (original: Method) => Method) => void;

/**
 * Instruments `fetch`, `console` and the rate limiter with `wrap`; `counting` gives the usage of
 * the measurement running, or undefined between measurements (when everything passes through).
 */
export function instrumentGlobals(wrap: Wrap, counting: () => Usage | undefined): void {
  /** Counts each call of `owner[name]` in `field`, and makes it as before. */
  const countCalls = (owner: Record<string, unknown>, name: string, field: "fetches" | "rateLimits") =>
    wrap(
      owner,
      name,
      (original) =>
        function (this: unknown, ...args: unknown[]) {
          const usage = counting();
          if (usage !== undefined) usage[field]++;
          return original.apply(this, args);
        },
    );

  countCalls(globalThis as unknown as Record<string, unknown>, "fetch", "fetches");

  for (const name of ["log", "info", "warn", "error", "debug"]) {
    wrap(
      console as unknown as Record<string, unknown>,
      name,
      (original) =>
        function (this: unknown, ...args: unknown[]) {
          const usage = counting();
          if (usage === undefined) return original.apply(this, args);
          usage.logLines++;
          usage.logBytes += new TextEncoder().encode(args.map(String).join(" ")).length;
          return undefined;
        },
    );
  }

  const limiter = env.CLIENT_AUTH_LIMITER;
  if (limiter !== undefined) countCalls(ownerOf(limiter, "limit"), "limit", "rateLimits");
}

/** The object on `object`'s prototype chain that holds `name` itself. */
function ownerOf(object: object, name: string): Record<string, unknown> {
  let owner: object | null = object;
  while (owner !== null && !Object.hasOwn(owner, name)) owner = Object.getPrototypeOf(owner);
  if (owner === null) throw new Error(`no ${name} to instrument`);
  return owner as Record<string, unknown>;
}
