/**
 * What a set of requests cost on Cloudflare's bill, as the operation meter counts it.
 */

/** What the requests sent inside one `OperationMeter.measure` cost. */
export interface Usage {
  /** Requests to the Worker (each one billed Workers request). */
  workerRequests: number;
  /** Calls on Durable Object stubs, each one billed request: `"Grant.refresh": 1`. */
  durableObjectRequests: Record<string, number>;
  /** Storage API calls inside the objects: `"Grant kv.get": 1`. */
  storageCalls: Record<string, number>;
  /** Rows read as billed, per Durable Object class. */
  rowsRead: Record<string, number>;
  /** Rows written as billed, per Durable Object class. */
  rowsWritten: Record<string, number>;
  /** Workers KV operations: `get` (reads, including getWithMetadata), `put`, `delete`, `list`. */
  kv: Record<string, number>;
  /** `fetch()` calls to anywhere (outbound subrequests), from the Worker or an object. */
  fetches: number;
  /** Calls on rate limiting bindings. */
  rateLimits: number;
  /** Lines written to the console (Workers Logs events besides each invocation's own). */
  logLines: number;
  /** The bytes of those lines. */
  logBytes: number;
}

/** Nothing at all: no request, call, row or line. */
export function emptyUsage(): Usage {
  return {
    workerRequests: 0,
    durableObjectRequests: {},
    storageCalls: {},
    rowsRead: {},
    rowsWritten: {},
    kv: {},
    fetches: 0,
    rateLimits: 0,
    logLines: 0,
    logBytes: 0,
  };
}

export function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

export function add(counts: Record<string, number>, key: string, amount: number): void {
  if (amount !== 0) counts[key] = (counts[key] ?? 0) + amount;
}
